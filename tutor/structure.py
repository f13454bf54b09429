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

import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Literal

from retriever import load_corpus
# the same Markdown line patterns the chunker cuts on, so sections line up with chunks
from retriever.chunking import ATX_RE, BOLD_LINE_RE, FENCE_RE, LABEL_RE, SECTION_LABELS, SENT_FALLBACK_RE

UnitKind = Literal["scenario", "answer", "point", "pro", "con", "bullet", "text", "code"]

_BULLET_RE = re.compile(r"^\s*(?:[-*+]|\d{1,2}[.)])\s+(.*)$")
_SCENARIO_RE = re.compile(r"^\*\*\s*문제\s*시나리오\s*\*\*\s*:\s*(.+)$")
_ANSWER_RE = re.compile(r"^\*\*\s*정답\s*(?::\s*(.+?)\s*\*\*|\*\*\s*:\s*(.+))\s*$")
_TERM_RE = re.compile(r"^\*\*(.+?)\*\*\s*(:|=)\s*(.+)$")
_MARKS = ("✅", "❌", "🔶", "❓", "⭕", "✔️", "✔", "✖")
_HANGUL_RE = re.compile(r"[\uac00-\ud7a3]")


def plain(text: str) -> str:
    """Markdown emphasis and code marks removed, spaces collapsed."""
    text = text.replace("**", "").replace("__", "").replace("`", "")
    return " ".join(text.split())


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

    @property
    def plain(self) -> str:
        return plain(self.text)

    def display(self) -> str:
        """The unit as it appears in the notes (bullets keep their dash)."""
        if self.kind in ("point", "pro", "con", "bullet"):
            return f"- {self.text}"
        return self.text


@dataclass(frozen=True)
class Section:
    source: str
    title: str  # the heading text, e.g. "1. AWS Data Exchange - 서드파티 데이터 통합 최소화"
    heading: str  # the Markdown heading path, " > "-joined (the prefix of the chunks' heading)
    lines: tuple[int, int]  # 1-based inclusive, heading line included
    units: tuple[Unit, ...]

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

    def section_at(self, source: str, line: int) -> Section | None:
        for s in self.sections:
            if s.contains(source, line):
                return s
        return None

    @property
    def titles(self) -> list[str]:
        return [s.title for s in self.sections]


# -- parsing ------------------------------------------------------------------------------

Splitter = Callable[[str], list[tuple[int, int]]]


def _sentences(text: str, splitter: Splitter | None) -> list[str]:
    spans: list[tuple[int, int]] = []
    if splitter is not None and _HANGUL_RE.search(text):
        try:
            spans = splitter(text)
        except Exception:  # the regex below is good enough
            spans = []
    if not spans:
        spans = [(m.start(), m.end()) for m in SENT_FALLBACK_RE.finditer(text)]
    out = [text[s:e].strip() for s, e in spans]
    return [s for s in out if s]


def _label_of(line: str) -> str | None:
    """Sub-section title when the line is a bold-only or "label:" line."""
    m = BOLD_LINE_RE.match(line)
    if m:
        inner = m.group(1).strip()
        if "**" in inner or inner.startswith("정답"):
            return None
        if inner.endswith((":", "?")) or m.group(2) or re.match(r"^[A-Za-z가-하][.)]\s", inner):
            return inner.rstrip(":").strip()
        return None
    s = line.strip()
    if LABEL_RE.match(s) and "**" not in s and not _BULLET_RE.match(s):
        return s.rstrip(":").strip()
    return None


def _is_pseudo_heading(lines: list[str], i: int) -> bool:
    """A short title-like line of plain text ("제2장 자치법규 운영 현황", "1. 조례 제정 현황"):
    on its own between blank lines, no markdown emphasis, no sentence end."""
    s = lines[i - 1].strip()
    if not s or "**" in s or len(s) > 40 or not _HANGUL_RE.search(s):
        return False
    if s.startswith(("-", "*", "+", ">", "|")) or re.search(r"([.?!。:]|다)$", s):
        return False
    before = lines[i - 2].strip() if i >= 2 else ""
    after = lines[i].strip() if i < len(lines) else ""
    return not before and not after


def parse_note(source: str, text: str, splitter: Splitter | None = None) -> list[Section]:
    """Sections of one note, each with its quotable units in order."""
    lines = text.split("\n")
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    title = Path(source).stem
    start = 1
    units: list[Unit] = []
    sub = ""
    in_points = False
    fence: str | None = None
    code: list[str] = []
    code_start = 0
    para: list[tuple[int, str]] = []

    def flush_para() -> None:
        nonlocal para
        if not para:
            return
        first, last = para[0][0], para[-1][0]
        joined = " ".join(t.strip() for _, t in para)
        if len(para) == 1 and not _HANGUL_RE.search(joined):
            units.append(Unit("text", joined, first, last, sub))
        else:
            for sent in _sentences(joined, splitter):
                # the line a sentence starts on: find its first words among the paragraph lines
                head = sent[:12]
                ln = next((n for n, t in para if head and head in t), first)
                units.append(Unit("text", sent, ln, last if ln == last else ln, sub))
        para = []

    def close(end: int) -> None:
        nonlocal units
        flush_para()
        if units:
            heading = " > ".join(t for _, t in stack)
            sections.append(Section(source, title, heading, (start, end), tuple(units)))
        units = []

    for i, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        fm = FENCE_RE.match(line)
        if fence is not None:
            if fm and line.strip().startswith(fence):
                body = "\n".join(code).strip("\n")
                if body.strip():
                    units.append(Unit("code", body, code_start, i, sub))
                fence, code = None, []
            else:
                code.append(raw)
            continue
        if fm:
            flush_para()
            fence, code, code_start = fm.group(1)[0] * 3, [], i + 1
            continue
        if not line.strip():
            flush_para()
            continue
        m = ATX_RE.match(line)
        if m:
            close(i - 1)
            level = len(m.group(1))
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, m.group(2).strip()))
            title, start, sub, in_points = m.group(2).strip(), i, "", False
            continue
        s = line.strip()
        if s.startswith("|"):  # tables are not quoted sentence by sentence
            flush_para()
            continue
        sm = _SCENARIO_RE.match(s)
        if sm:
            flush_para()
            units.append(Unit("scenario", s, i, i, sub, "문제 시나리오", plain(sm.group(1))))
            continue
        am = _ANSWER_RE.match(s)
        if am:
            flush_para()
            units.append(Unit("answer", s, i, i, sub, "정답", plain(am.group(1) or am.group(2))))
            continue
        label = _label_of(s)
        if label is None and _is_pseudo_heading(lines, i):
            label = re.sub(r"^\d{1,2}[.)]\s+", "", s).strip()
        if label is not None:
            flush_para()
            sub = label
            in_points = label in SECTION_LABELS
            continue
        bm = _BULLET_RE.match(line)
        if bm:
            flush_para()
            body = bm.group(1).strip()
            if not re.search(r"[^\W\d_]", body):  # "- 14 -": a page number, not content
                continue
            mark = next((mk for mk in _MARKS if body.startswith(mk)), "")
            rest = body[len(mark):].strip() if mark else body
            tm = _TERM_RE.match(rest)
            term, value = (plain(tm.group(1)), plain(tm.group(3))) if tm else ("", "")
            if in_points and tm and tm.group(2) == "=":
                kind: UnitKind = "point"
            elif mark == "✅":
                kind = "pro"
            elif mark == "❌":
                kind = "con"
            else:
                kind = "bullet"
            units.append(Unit(kind, body, i, i, sub, term, value, mark))
            continue
        para.append((i, line))
    if fence is not None and code:
        units.append(Unit("code", "\n".join(code), code_start, len(lines), sub))
    close(len(lines))
    return sections


def parse_notes(notes: Iterable[tuple[str, str]], splitter: Splitter | None = None) -> NotesStructure:
    out: list[Section] = []
    for source, text in notes:
        out.extend(parse_note(source, text, splitter))
    return NotesStructure(tuple(out))


# Per loaded index generation (the object is kept with the value, so a reused id never
# returns another generation's data); a few entries only.
_STRUCT_CACHE: dict[int, tuple[object, "NotesStructure"]] = {}
_IDF_CACHE: dict[int, tuple[object, "TermWeights"]] = {}


def _remember(cache: dict, index: object, value: object, size: int = 4) -> None:
    cache[id(index)] = (index, value)
    while len(cache) > size:
        cache.pop(next(iter(cache)))


def library_structure(library) -> NotesStructure:
    """The structure of a library's corpus, cached per loaded index generation."""
    index = library.searcher.index
    cached = _STRUCT_CACHE.get(id(index))
    if cached is not None and cached[0] is index:
        return cached[1]
    notes, _ = load_corpus(library.corpus_dir)
    indexed = {c.source for c in index.chunks}
    tok = library.tokenizer
    struct = parse_notes(((n.source, n.text) for n in notes if n.source in indexed or not indexed),
                         splitter=tok.split_sentences)
    _remember(_STRUCT_CACHE, index, struct)
    return struct


# -- term weights --------------------------------------------------------------------------

@dataclass(frozen=True)
class TermWeights:
    """BM25-style IDF of every term over the indexed chunks."""

    idf: dict
    default: float

    def __call__(self, term: str) -> float:
        return self.idf.get(term, self.default)


def term_weights(library) -> TermWeights:
    index = library.searcher.index
    cached = _IDF_CACHE.get(id(index))
    if cached is not None and cached[0] is index:
        return cached[1]
    df: Counter = Counter()
    for toks in index.tokens:
        df.update(set(toks))
    n = max(1, len(index.tokens))
    idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
    tw = TermWeights(idf, math.log(1 + (n + 0.5) / 0.5))
    _remember(_IDF_CACHE, index, tw)
    return tw
