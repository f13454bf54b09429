"""How long the 단원 요약 of a large notes set takes (issue 19 target: a 20-section, 300-page
set's guide as Markdown and as PDF in under 10 s).

    python -m bench.guide                  # 20 sections, 300 pages (1,800 characters a page)
    python -m bench.guide --sections 7 --pages 80

The notes are the seed sections (문제 시나리오, 정답, 시험 포인트, ✅/❌ lists, code, numbers)
repeated under new titles and padded with plain paragraphs to the page count. The guide is
built from the parsed structure as the app holds it (the index build parses the notes once per
generation); the parse itself is timed in the same process as the reference the guide's time is
set against (`ratio_to_parse`).
"""
from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from pathlib import Path

from bench.lib.machine import load_avg, machine
from bench.lib.paths import SEED_NOTES

PAGE_CHARS = 1800
FILLER = ("이 단락은 분량을 채우기 위한 설명이다. 데이터 파이프라인은 수집, 변환, 적재 단계로 나뉘며 각 단계의 비용과 "
          "지연을 함께 본다. 운영 오버헤드를 줄이려면 관리형 서비스를 먼저 검토한다. ")


def notes_text(n_sections: int, pages: int) -> str:
    """A notes file of `n_sections` structured sections and about `pages` pages."""
    seed = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEED_NOTES.glob("*.md")))
    parts = re.split(r"(?m)^(?=### \d+\. )", seed)
    secs = [p for p in parts if p.startswith("### ")]
    per = max(0, pages * PAGE_CHARS // n_sections - sum(map(len, secs)) // len(secs))
    out = ["# 대용량 노트\n"]
    for i in range(n_sections):
        body = re.sub(r"^### \d+\. ", f"### {i + 1}. ", secs[i % len(secs)], count=1)
        filler = "\n\n".join(FILLER * 3 for _ in range(per // (len(FILLER) * 3) + 1))
        out.append(body.rstrip() + f"\n\n{filler}\n")
    return "\n".join(out)


def measure(n_sections: int, pages: int) -> dict:
    from retriever import KiwiTokenizer
    from retriever.structure import parse_notes
    from tutor.guide import build_guide
    from tutor.guide.pdf import write_pdf
    from tutor.guide.render import to_markdown

    text = notes_text(n_sections, pages)
    tok = KiwiTokenizer()
    tok.split_sentences("준비")  # Kiwi's model loaded before the clock starts
    t0 = time.perf_counter()
    struct = parse_notes([("big.md", text)], splitter=tok.split_sentences)
    parse_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        t1 = time.perf_counter()
        guide = build_guide(struct)
        md = to_markdown(guide)
        md_s = time.perf_counter() - t1
        write_pdf(guide, Path(tmp) / "guide.pdf")
        total_s = time.perf_counter() - t1
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(Path(tmp) / "guide.pdf"))
        pdf_pages = len(pdf)
        pdf.close()
    return {"sections": len(guide.sections), "note_chars": len(text), "note_pages": round(len(text) / PAGE_CHARS),
            "parse_s": round(parse_s, 2), "guide_md_s": round(md_s, 2), "guide_md_and_pdf_s": round(total_s, 2),
            "pdf_pages": pdf_pages, "md_chars": len(md), "ratio_to_parse": round(total_s / parse_s, 2)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sections", type=int, default=20)
    ap.add_argument("--pages", type=int, default=300)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    fig = measure(args.sections, args.pages)
    fig.update(machine=machine(), load=load_avg())
    print(json.dumps(fig, ensure_ascii=False) if args.json else ", ".join(f"{k}={v}" for k, v in fig.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
