"""Small immutable records passed between the retrieval modules."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Mode = Literal["hybrid", "keyword", "semantic"]
MODES: tuple[str, ...] = ("hybrid", "keyword", "semantic")


@dataclass(frozen=True)
class Note:
    """One decoded corpus file."""

    source: str  # path relative to the corpus root, POSIX separators
    text: str  # Markdown-like text (headings as "#"), also for PDF, Word and HTML files
    sha256: str  # hash of the raw bytes
    encoding: str  # text encoding, or the format it was extracted from ("pdf", "docx", "html")
    pages: tuple[int, ...] = ()  # paged files: the 1-based line on which each page starts
    ocr_pages: tuple[int, ...] = ()  # the 1-based pages whose text was recognised (OCR)

    def page_at(self, line: int) -> int | None:
        """The 1-based page holding a 1-based line of `text` (None for files without pages)."""
        return page_at(self.pages, line)


def page_at(pages: tuple[int, ...], line: int) -> int | None:
    if not pages:
        return None
    lo, hi = 0, len(pages)
    while lo < hi:  # the last page start at or before `line`
        mid = (lo + hi) // 2
        if pages[mid] <= line:
            lo = mid + 1
        else:
            hi = mid
    return max(1, lo)


def section_id(source: str, start_line: int) -> str:
    """The id of the section of `source` opened on `start_line` (its Markdown heading's line,
    1 for text before any heading): a chunk and the notes section it belongs to share it."""
    return f"{source}#{start_line}"


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass(frozen=True)
class Chunk:
    source: str
    heading: str  # heading path, " > "-joined
    lines: tuple[int, int]  # 1-based inclusive
    text: str
    id: str = ""  # content hash (source-independent) filled by the chunker
    page: int | None = None  # 1-based page of a paged file (PDF); chunks never cross pages
    section: str = ""  # id of the notes section it belongs to (`structure.section_id`)
    ocr: bool = False  # the text was recognised from a scan or photo (OCR), not read

    @property
    def indexed_text(self) -> str:
        """What BM25 and the embedder see: the heading path plus the body."""
        return f"{self.heading}\n{self.text}" if self.heading else self.text


@dataclass(frozen=True)
class Hit:
    rank: int
    score: float
    source: str
    heading: str
    lines: tuple[int, int]
    text: str
    chunk_index: int = field(default=-1, compare=False)
    page: int | None = None  # 1-based page of a paged file (PDF), else None
    section: str = field(default="", compare=False)  # its chunk's section id
    ocr: bool = False  # the text was recognised from a scan or photo (OCR)

    def to_dict(self) -> dict:
        d = {
            "rank": self.rank,
            "source": self.source,
            "heading": self.heading,
            "lines": [self.lines[0], self.lines[1]],
            "page": self.page,
            "score": round(float(self.score), 6),
            "text": self.text,
        }
        if self.ocr:  # only then: JSON of text notes stays as it was
            d["ocr"] = True
        return d
