"""The notes' own structure, parsed once and shared by answers and quizzes.

Exam notes in the seed corpus follow a pattern: a `### N. title` section per question with a
`**문제 시나리오**: …` line, a `**정답: …**` line, lettered sub-sections (`**A. …:**`), ✅/❌
bullets, `- **term**: definition` bullets and a closing `시험 포인트:` list of
`- **X** = Y` lines. Everything is kept verbatim (markdown included) with its line number, so
an answer can quote the notes word for word and a quiz item can point back at its source.
Notes without that pattern still yield sections (per heading, or one per file) whose prose is
cut into sentences.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal, Sequence

from ..types import Chunk, page_at, section_id

UnitKind = Literal["scenario", "answer", "point", "pro", "con", "bullet", "text", "code", "row"]

HANGUL_RE = re.compile(r"[\uac00-\ud7a3]")


@lru_cache(maxsize=65536)  # pure; quizzes and answers ask for the same lines again and again
def plain(text: str) -> str:
    """Markdown emphasis and code marks removed, spaces collapsed."""
    text = text.replace("**", "").replace("__", "").replace("`", "")
    return " ".join(text.split())


def table_cells(line: str) -> tuple[str, ...]:
    """The plain cells of a Markdown table line ("| a | b |" → ("a", "b"))."""
    s = line.strip()
    s = s[1:] if s.startswith("|") else s
    s = s[:-1] if s.endswith("|") and not s.endswith("\\|") else s
    return tuple(plain(c) for c in re.split(r"(?<!\\)\|", s))


@dataclass(frozen=True)
class Unit:
    """One quotable piece of a note: a line, a bullet, a sentence or a code block."""

    kind: UnitKind
    text: str  # verbatim (markdown kept, bullet marker removed)
    line: int  # 1-based first line
    line_end: int  # 1-based last line
    sub: str = ""  # the sub-section title it sits under ("A. …", "적합한 상황" …)
    term: str = ""  # plain bold term of "**X**: Y" / "**X** = Y"
    value: str = ""  # plain Y
    mark: str = ""  # ✅ / ❌ / … when the bullet starts with one
    cols: tuple[str, ...] = ()  # a table row: the table's header cells (plain)

    @property
    def plain(self) -> str:
        return plain(self.text)

    @property
    def cells(self) -> tuple[str, ...]:
        """A table row's cells, plain (empty for other units)."""
        return table_cells(self.text) if self.kind == "row" else ()

    def display(self) -> str:
        """The unit as it appears in the notes (bullets keep their dash; a table row is
        shown with its column names, which a lone row would lose)."""
        if self.kind in ("point", "pro", "con", "bullet"):
            return f"- {self.text}"
        if self.kind == "row":
            return f"- {self.term} — {self.value}" if self.value else f"- {self.term}"
        return self.text


@dataclass(frozen=True)
class Section:
    source: str
    title: str  # the heading text, e.g. "1. AWS Data Exchange - 서드파티 데이터 통합 최소화"
    heading: str  # the Markdown heading path, " > "-joined (the prefix of the chunks' heading)
    lines: tuple[int, int]  # 1-based inclusive, heading line included
    units: tuple[Unit, ...]
    pages: tuple[int, ...] = ()  # the note's page starts (paged files), see `page_at`
    ocr_pages: tuple[int, ...] = ()  # the note's pages whose text was recognised (OCR)
    # the chunks of this section in the live index: (chunk index, (first line, last line))
    chunks: tuple[tuple[int, tuple[int, int]], ...] = ()

    @property
    def id(self) -> str:
        return section_id(self.source, self.lines[0])

    def chunk_at(self, line: int) -> int | None:
        """Index of this section's chunk holding `line`, else of the one starting nearest to it."""
        best, best_key = None, None
        for i, (a, b) in self.chunks:
            if a <= line <= b:
                return i
            if best_key is None or abs(a - line) < best_key:
                best, best_key = i, abs(a - line)
        return best

    def page_at(self, line: int) -> int | None:
        """The page of a line of this section's note (None for notes without pages)."""
        return page_at(self.pages, line)

    def scanned_at(self, line: int) -> bool:
        """Whether a line of this section's note was recognised from a scan or photo (OCR)."""
        return bool(self.ocr_pages) and page_at(self.pages, line) in self.ocr_pages

    def _first(self, kind: str) -> Unit | None:
        return next((u for u in self.units if u.kind == kind), None)

    @property
    def scenario(self) -> Unit | None:
        return self._first("scenario")

    @property
    def answer(self) -> Unit | None:
        return self._first("answer")

    @property
    def points(self) -> tuple[Unit, ...]:
        return tuple(u for u in self.units if u.kind == "point")

    @property
    def structured(self) -> bool:
        return self.answer is not None or bool(self.points)

    @property
    def answer_text(self) -> str:
        """The 정답 in plain text without a leading option letter ("A. ")."""
        if self.answer is None:
            return ""
        return re.sub(r"^[A-Ea-e][.)]\s+", "", self.answer.value or self.answer.plain)

    @property
    def short_title(self) -> str:
        """Title without its number ("1. ") — what a learner calls the topic."""
        return re.sub(r"^\d{1,3}[.)]\s*", "", self.title).strip()

    def contains(self, source: str, line: int) -> bool:
        return source == self.source and self.lines[0] <= line <= self.lines[1]

    def ref_heading(self, unit: Unit | None = None) -> str:
        if unit is not None and unit.sub and unit.sub != self.title:
            return f"{self.heading} > {unit.sub}" if self.heading else unit.sub
        return self.heading or self.title


@dataclass(frozen=True)
class NotesStructure:
    sections: tuple[Section, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {s.id: s for s in self.sections})

    def section(self, sid: str) -> Section | None:
        """The section with id `sid` (a chunk's or hit's `section`), None when it has no units."""
        return self._by_id.get(sid)  # type: ignore[attr-defined]

    def with_chunks(self, chunks: Sequence[Chunk]) -> "NotesStructure":
        """The same sections, each knowing its chunks in an index's chunk table."""
        spans: dict[str, list[tuple[int, tuple[int, int]]]] = {}
        for i, c in enumerate(chunks):
            spans.setdefault(c.section, []).append((i, c.lines))
        return NotesStructure(tuple(replace(s, chunks=tuple(spans.get(s.id, ()))) for s in self.sections))
