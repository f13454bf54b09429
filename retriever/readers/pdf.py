"""PDF text layers with PDFium (pypdfium2): text per page, headings from font size.

Chosen by measurement (bench/documents.py, bench/RESULTS.md): on Korean PDFs made with a
Korean font it kept word spacing and the reading order of two-column pages, where pdfminer
and pdfplumber split Korean words or interleaved the columns, and it was the fastest.

Each page's lines become text; lines set clearly larger than the page's body text become
Markdown headings (the largest size seen in the file is `#`, the next `##`, then `###`).
Page-number lines and running headers/footers repeated on most pages are dropped. Pages are
separated by a blank line, and `Extracted.pages` gives the line each page starts on.

A page with (almost) no text layer that is mostly picture — a scan — is left empty and listed
in `Extracted.scans` with a hash of its content, for OCR (`retriever/ocr`); a blank page is
neither. The thresholds were measured (`python -m bench.ocr_sets`, bench/RESULTS.md "Scanned notes"): text pages of real
PDFs hold 150+ word characters, the text layers scanners leave on a picture (a page number,
"Scanned with …", a fax header) under 32.
"""
from __future__ import annotations

import hashlib
import re
import threading
from collections import Counter
from dataclasses import dataclass

from . import Extracted, ScanPage, Unreadable

HEADING_RATIO = 1.25  # a line this much larger than the page's body text is a heading
MAX_HEADING_CHARS = 80
_PAGE_NUMBER = re.compile(r"^[\s\-–—·.pP]*\d{1,4}[\s\-–—·./\d]*$")
MIN_TEXT_CHARS = 32  # a page whose text layer holds fewer word characters …
MIN_IMAGE_COVER = 0.5  # … and whose pictures cover this share of it is a scan: OCR
KEY_VERSION = "pdf-page-v1"
PDFIUM = threading.RLock()  # PDFium is not thread-safe: every use of it here holds this lock


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


@dataclass(frozen=True)
class _Page:
    lines: list[_Line]
    scan_key: str | None = None  # set when the page is a scan: its text comes from OCR


def _objects_digest(page) -> tuple["hashlib._Hash", float, bool, bool]:
    """(hash of the page's drawn objects, share of the page covered by pictures, whether
    anything is drawn, whether vector paths are drawn)."""
    import pypdfium2.raw as raw

    w, h = page.get_size()
    digest = hashlib.sha256(f"{KEY_VERSION}:{w:.1f}x{h:.1f}:{page.get_rotation()}".encode())
    cover, drawn, paths = 0.0, False, False
    for obj in page.get_objects(max_depth=4):
        if obj.type == raw.FPDF_PAGEOBJ_FORM:
            continue  # its contents are visited as objects of their own
        drawn = True
        left, bottom, right, top = obj.get_bounds()
        digest.update(f"|{obj.type}:{left:.1f},{bottom:.1f},{right:.1f},{top:.1f}".encode())
        if obj.type == raw.FPDF_PAGEOBJ_IMAGE:
            area = max(0.0, min(right, w) - max(left, 0.0)) * max(0.0, min(top, h) - max(bottom, 0.0))
            cover += area / (w * h) if w * h > 0 else 0.0
            digest.update(bytes(obj.get_data(decode_simple=False)))  # the picture's stored bytes
        elif obj.type != raw.FPDF_PAGEOBJ_TEXT:
            paths = True
    return digest, min(1.0, cover), drawn, paths


def _scan_key(page, lines: list[_Line]) -> str | None:
    """The content key of a scanned page (no usable text layer, something drawn), else None."""
    chars = sum(len(re.findall(r"\w", ln.text)) for ln in lines)
    if chars >= MIN_TEXT_CHARS:
        return None
    digest, cover, drawn, paths = _objects_digest(page)
    if not drawn or (chars and cover < MIN_IMAGE_COVER):
        return None  # a blank page, or a short text page (a title slide): read as text
    digest.update("\n".join(ln.text for ln in lines).encode())
    if paths:  # vector drawing (text turned into outlines…): its look, at 72 dpi, is its content
        digest.update(bytes(page.render(scale=1, grayscale=True).buffer))
    return digest.hexdigest()


def open_pdf(data):
    """A PdfDocument of bytes or a path (the caller holds PDFIUM); Unreadable with the reason."""
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise Unreadable("암호로 보호된 PDF입니다 (password-protected PDF)") from None
        raise Unreadable(f"손상되었거나 읽을 수 없는 PDF입니다 (broken PDF: {exc})") from None


def _read_pages(data: bytes) -> list[_Page]:
    with PDFIUM:
        doc = open_pdf(data)
        try:
            pages = []
            for i in range(len(doc)):  # one page in memory at a time
                page = doc[i]
                textpage = page.get_textpage()
                try:
                    lines = _page_lines(textpage)
                    pages.append(_Page(lines, _scan_key(page, lines)))
                finally:
                    textpage.close()
                    page.close()
            return pages
        finally:
            doc.close()


def page_key(doc, index: int) -> str | None:
    """The content key of page `index` (0-based) of an open document, None unless a scan
    (the caller holds PDFIUM): OCR checks it to be sure it renders the page it was given."""
    page = doc[index]
    textpage = page.get_textpage()
    try:
        return _scan_key(page, _page_lines(textpage))
    finally:
        textpage.close()
        page.close()


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
    scans = tuple(ScanPage(k, p.scan_key) for k, p in enumerate(pages, start=1) if p.scan_key)
    texts = [p.lines for p in pages if not p.scan_key]
    if not scans and not any(re.search(r"\w", ln.text) for lines in texts for ln in lines):
        raise Unreadable("텍스트 층도 스캔 이미지도 없는 PDF입니다 (no text layer, nothing to recognise)")
    repeated, levels = _repeated(texts), _heading_levels(texts)
    out: list[str] = []
    starts: list[int] = []
    for page in pages:
        starts.append(len(out) + 1)
        if page.scan_key:
            out.append("")  # an empty page for now: OCR fills it in (retriever/ocr/assemble.py)
            continue
        lines = page.lines
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
    return Extracted("\n".join(out), "pdf", tuple(starts), scans)
