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
    text: str
    sha256: str  # hash of the raw bytes
    encoding: str


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

    def to_dict(self) -> dict:
        return {
            "rank": self.rank,
            "source": self.source,
            "heading": self.heading,
            "lines": [self.lines[0], self.lines[1]],
            "score": round(float(self.score), 6),
            "text": self.text,
        }
