"""PDF text layers with PDFium (pypdfium2): text per page, headings from font size.

Chosen by measurement (bench/documents.py, bench/RESULTS.md): on Korean PDFs made with a
Korean font it kept word spacing and the reading order of two-column pages, where pdfminer
and pdfplumber split Korean words or interleaved the columns, and it was the fastest.

Each page's lines become text; lines set clearly larger than the page's body text become
Markdown headings (the largest size seen in the file is `#`, the next `##`, then `###`).
Page-number lines and running headers/footers repeated on most pages are dropped. Pages are
separated by a blank line, and `Extracted.pages` gives the line each page starts on.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from . import Extracted, Unreadable

HEADING_RATIO = 1.25  # a line this much larger than the page's body text is a heading
MAX_HEADING_CHARS = 80
_PAGE_NUMBER = re.compile(r"^[\s\-–—·.pP]*\d{1,4}[\s\-–—·./\d]*$")


@dataclass(frozen=True)
class _Line:
    text: str
    size: float  # the largest font size among its visible characters


def _page_lines(textpage) -> list[_Line]:
    """The page's lines in reading order, each with its font size."""
    import pypdfium2.raw as raw

    lines: list[_Line] = []
    buf: list[str] = []
    size = 0.0
    for i in range(textpage.count_chars()):
        code = raw.FPDFText_GetUnicode(textpage.raw, i)
        ch = chr(code) if code else ""
        if ch in ("\r", "\n"):
            if ch == "\n" or buf:
                text = " ".join("".join(buf).split())
                if text:
                    lines.append(_Line(text, size))
                buf, size = [], 0.0
            continue
        buf.append(ch)
        if ch.strip():
            size = max(size, raw.FPDFText_GetFontSize(textpage.raw, i))
    text = " ".join("".join(buf).split())
    if text:
        lines.append(_Line(text, size))
    return lines


def _open(data: bytes):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise Unreadable("암호로 보호된 PDF입니다 (password-protected PDF)") from None
        raise Unreadable(f"손상되었거나 읽을 수 없는 PDF입니다 (broken PDF: {exc})") from None


def _read_pages(data: bytes) -> list[list[_Line]]:
    doc = _open(data)
    try:
        pages = []
        for i in range(len(doc)):  # one page in memory at a time
            page = doc[i]
            textpage = page.get_textpage()
            try:
                pages.append(_page_lines(textpage))
            finally:
                textpage.close()
                page.close()
        return pages
    finally:
        doc.close()


def _body_size(lines: list[_Line]) -> float:
    weights = Counter()
    for ln in lines:
        weights[round(ln.size, 1)] += len(ln.text)
    return weights.most_common(1)[0][0] if weights else 0.0


def _repeated(pages: list[list[_Line]]) -> set[str]:
    """Running headers/footers: the same line on most pages of a longer document."""
    if len(pages) < 4:
        return set()
    seen = Counter(t for lines in pages for t in {re.sub(r"\d+", "#", ln.text) for ln in lines})
    return {t for t, n in seen.items() if n >= 0.6 * len(pages)}


def _heading_levels(pages: list[list[_Line]]) -> dict[float, int]:
    sizes = set()
    for lines in pages:
        body = _body_size(lines)
        sizes |= {round(ln.size, 1) for ln in lines
                  if body and ln.size >= HEADING_RATIO * body and len(ln.text) <= MAX_HEADING_CHARS}
    return {s: min(3, k + 1) for k, s in enumerate(sorted(sizes, reverse=True))}


def read(data: bytes, name: str) -> Extracted:
    pages = _read_pages(data)
    if not pages:
        raise Unreadable("페이지가 없는 PDF입니다 (no pages)")
    if not any(re.search(r"\w", ln.text) for lines in pages for ln in lines):
        raise Unreadable("텍스트 층이 없는 PDF입니다 — 스캔 이미지는 OCR이 필요하며 오프라인에서는 지원하지 않습니다 "
                         "(no text layer)")
    repeated, levels = _repeated(pages), _heading_levels(pages)
    out: list[str] = []
    starts: list[int] = []
    for lines in pages:
        starts.append(len(out) + 1)
        body = _body_size(lines)
        for ln in lines:
            if _PAGE_NUMBER.match(ln.text) or re.sub(r"\d+", "#", ln.text) in repeated:
                continue
            level = levels.get(round(ln.size, 1)) if body and ln.size >= HEADING_RATIO * body else None
            if level and len(ln.text) <= MAX_HEADING_CHARS:
                out += ["", "#" * level + " " + ln.text, ""]
            else:
                out.append(ln.text)
        out.append("")  # pages never share a block
    return Extracted("\n".join(out), "pdf", tuple(starts))
