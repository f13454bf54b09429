"""How each kind of file becomes text: one reader per format, chosen by the file's suffix.

Every reader turns bytes into Markdown-like text (headings as `#`, list items as `-`, table
rows as `| … |`) that the chunker and the study logic already understand, plus the line on
which each page starts for paged files. Pages with no text to read (scans, photos) are listed
as `ScanPage`s for OCR (`retriever/ocr`), which the readers never run: reading stays fast.
A file a reader cannot use raises `Unreadable` with a one-line reason; nothing in a file is
ever executed.
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import PurePosixPath


class Unreadable(ValueError):
    """A file that cannot be read as notes; the message is one line naming why."""


@dataclass(frozen=True)
class ScanPage:
    """A page with no usable text layer (a scan, a photo): its text must be recognised (OCR)."""

    page: int  # 1-based page of the file (its frame, for a multi-page TIFF)
    key: str  # hash of the page's content: what recognised text is cached by


@dataclass(frozen=True)
class Extracted:
    text: str
    encoding: str  # the text encoding, or the format the text came from ("pdf", "docx", "html", "image")
    pages: tuple[int, ...] = ()  # 1-based line where each page starts (paged formats only)
    scans: tuple[ScanPage, ...] = ()  # pages left empty in `text`, to be recognised (OCR)


@dataclass(frozen=True)
class Format:
    label: str
    suffixes: tuple[str, ...]
    module: str  # the reader module (imported on first use: its library loads only then)
    max_bytes: int


FORMATS: tuple[Format, ...] = (
    Format("Markdown", (".md", ".markdown"), "markdown", 20 * 1024 * 1024),
    Format("text", (".txt",), "text", 20 * 1024 * 1024),
    Format("PDF", (".pdf",), "pdf", 200 * 1024 * 1024),
    Format("Word", (".docx",), "docx", 50 * 1024 * 1024),
    Format("HTML", (".html", ".htm"), "html", 20 * 1024 * 1024),
    # scans and photos of pages, read by OCR (a still GIF too; an animated one is refused)
    Format("image", (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".bmp", ".gif"), "image",
           50 * 1024 * 1024),
)
SUFFIXES: tuple[str, ...] = tuple(s for f in FORMATS for s in f.suffixes)


def table_lines(rows: list[list[str]]) -> list[str]:
    """Rows of cell texts as Markdown table lines (header separator after the first row,
    short rows padded), the form the chunker keeps whole and the quiz reads as a table."""
    if not rows:
        return []
    width = max(len(r) for r in rows)
    out = ["| " + " | ".join(r + [""] * (width - len(r))) + " |" for r in rows]
    out.insert(1, "|" + "---|" * width)
    return out


def format_of(name: str) -> Format | None:
    suffix = PurePosixPath(name.lower()).suffix
    return next((f for f in FORMATS if suffix in f.suffixes), None)


def read_bytes(data: bytes, name: str) -> Extracted:
    """The text of a file's bytes (its format from `name`); Unreadable with the reason."""
    fmt = format_of(name)
    if fmt is None:
        raise Unreadable(f"지원하지 않는 형식 ({PurePosixPath(name).suffix or '확장자 없음'})")
    if len(data) > fmt.max_bytes:
        raise Unreadable(f"too large ({len(data)} bytes > {fmt.max_bytes})")
    module = importlib.import_module(f"{__name__}.{fmt.module}")
    out: Extracted = module.read(data, name)
    if not out.text.strip() and not out.scans:
        raise Unreadable("empty")
    return out


_NOTION_ID = re.compile(r"\s+[0-9a-f]{32}$")


def display_name(source: str) -> str:
    """A file path as people should see it: Notion's 32-hex page ids dropped from names
    ("Network 1a2b…9f.md" → "Network.md")."""
    parts = []
    for part in PurePosixPath(source).parts:
        p = PurePosixPath(part)
        parts.append(_NOTION_ID.sub("", p.stem) + p.suffix if p.suffix else _NOTION_ID.sub("", part))
    return "/".join(parts)
