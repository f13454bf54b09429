"""The template answer: a 핵심 답 for *this* question, then the section's context.

It quotes the notes verbatim, every line marked `[n]` with its chunk: the best section's
title; up to three lines picked for the question (`focus`: prose, list items, table rows,
code lines); a few more related lines; then the section's 문제 시나리오, 정답 and 시험
포인트 as far as the character budget allows. A follow-up answered about the previous
turn's topic says so on its first line. When the notes do not cover the question it says so
and lists the nearest sections instead of inventing anything.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from retriever import Hit, NotesLibrary

from .evidence import Retrieval
from .focus import FocusLine, LineScorer, focus_lines
from .followup import NOT_FOUND_HEAD
from ..common.question_type import classify
from retriever.structure import Section, Unit

_LETTER_RE = re.compile(r"^[A-Za-z][.)]\s+")  # "A. " of a lettered sub-section
MAX_CHARS = 1200  # soft budget of a template answer
HARD_MAX = 1500  # never more
MORE_LINES = 2  # related lines after the 핵심 답
CORE_HEAD = "핵심 답:"
MORE_HEAD = "관련 내용:"
CONTEXT_HEAD = "섹션 정리:"
EMPTY_NOTES = ("노트가 비어 있거나 색인되지 않아 답할 수 없습니다. 노트를 추가한 뒤 "
               "`python -m tutor index`를 실행해 주세요.")


def followup_line(sec: Section) -> str:
    """The first line of an answer that took its topic from the previous turn."""
    return f"↪ 앞 질문의 주제 **{sec.short_title}**에 이어서 답합니다."


@dataclass(frozen=True)
class Composed:
    """A template answer: its text, the chunks its [n] markers cite (1-based), and the short
    title of the section it answers from ("" when the notes did not cover the question)."""

    text: str
    sources: list[Hit]
    topic: str = ""


@dataclass
class Draft:
    """Lines of an answer being built, and the chunks its [n] markers point at."""

    lines: list[str] = field(default_factory=list)
    sources: list[Hit] = field(default_factory=list)

    def cite(self, hit: Hit) -> int:
        for i, h in enumerate(self.sources, start=1):
            if h.source == hit.source and h.lines == hit.lines:
                return i
        self.sources.append(hit)
        return len(self.sources)

    @property
    def size(self) -> int:
        return sum(len(x) + 1 for x in self.lines)


def rerank(h: Hit, rank: int) -> Hit:
    return replace(h, rank=rank)


def used_sources(text: str, sources: list[Hit]) -> tuple[str, list[Hit]]:
    """Renumber [n] markers to the sources still cited, in order of first citation."""
    order: list[int] = []
    for m in re.finditer(r"\[(\d+)\]", text):
        n = int(m.group(1))
        if 1 <= n <= len(sources) and n not in order:
            order.append(n)
    remap = {old: new for new, old in enumerate(order, start=1)}
    text = re.sub(r"\[(\d+)\]", lambda m: f"[{remap.get(int(m.group(1)), int(m.group(1)))}]", text)
    return text, [rerank(sources[old - 1], new) for old, new in remap.items()]


def as_item(text: str) -> str:
    """A quoted line as a list item (bullets already are one)."""
    return text if text.startswith("- ") else f"- {text}"


def dense_scores(ret: Retrieval) -> dict[Unit, float]:
    """Each scored unit's cosine to the question, min-max scaled over the section (code: 0)."""
    cos = {s.unit: s.cos for s in ret.scored if s.unit.kind != "code"}
    if not cos:
        return {}
    lo, hi = min(cos.values()), max(cos.values())
    return {u: (c - lo) / (hi - lo) if hi - lo > 1e-6 else 0.0 for u, c in cos.items()}


class Composer:
    """Writes template answers from a Retrieval over one library."""

    def __init__(self, library: NotesLibrary) -> None:
        self.library = library

    def chunk_for(self, ret: Retrieval, sec: Section, unit: Unit, line: int | None = None) -> Hit:
        """The chunk a quoted unit (or one `line` of it) comes from, scored as retrieval scored it."""
        i = sec.chunk_at(line or unit.line)
        h = None if i is None else self.library.chunk_hit(i)
        if h is None:
            return Hit(rank=0, score=0.0, source=sec.source, heading=sec.heading, lines=sec.lines, text="")
        scored = next((x for x in ret.hits if (x.source, x.lines) == (h.source, h.lines)), None)
        return replace(h, rank=0, score=scored.score if scored else 0.0)

    def scorer(self) -> LineScorer:
        lib = self.library
        return LineScorer(lib.tokenizer, lib.term_stats(), lib.memo("tutor:line-terms", dict))

    def focus(self, ret: Retrieval, question: str | None = None, carried: str = "",
              n: int = 3 + MORE_LINES) -> list[FocusLine]:
        """The best section's lines for the question, best first (`question`: the learner's
        own words; `carried`: the topic a follow-up took from the turn before)."""
        if not ret.sections:
            return []
        own = question if question is not None else ret.query
        return focus_lines(ret.sections[0], own, carried, classify(own), self.scorer(), dense_scores(ret), n)

    def answer(self, ret: Retrieval, question: str | None = None, carried: str = "",
               followup: bool = False) -> Composed:
        if not ret.sections:
            return Composed(EMPTY_NOTES, [])
        if not ret.found:
            return self.not_found(ret)
        sec = ret.sections[0]
        picked = self.focus(ret, question, carried)
        if not picked:
            return self.not_found(ret)
        core, more = picked[:3], picked[3:]
        d = Draft()
        if followup:
            d.lines.append(followup_line(sec))
        d.lines.append(f"**{sec.title}** [{d.cite(self.chunk_for(ret, sec, sec.units[0]))}]")
        d.lines.append(CORE_HEAD)
        d.lines += self._quotes(ret, sec, core, d)
        shown = [f.line for f in core]
        context = [u for u in (sec.scenario, sec.answer, *sec.points)
                   if u is not None and not any(ln.unit == u for ln in shown)]
        more = [f for f in more if f.line.unit not in context and f.line.kind not in ("scenario", "answer")]
        self._add_block(d, MORE_HEAD, self._quotes(ret, sec, more[:MORE_LINES], d), room=MAX_CHARS - 300)
        self._context(ret, sec, context, d)
        text = "\n".join(d.lines).strip()
        while len(text) > HARD_MAX and len(d.lines) > 3:  # defensive: drop from the end
            d.lines.pop()
            text = "\n".join(d.lines).strip()
        return Composed(*used_sources(text, d.sources), topic=sec.short_title)

    def _quotes(self, ret: Retrieval, sec: Section, picked: list[FocusLine], d: Draft) -> list[str]:
        """The picked lines, each cited; a line under a sub-section ("부적합한 상황") comes after
        that sub-section's name, which says what kind of line it is."""
        out: list[str] = []
        sub = ""
        for f in picked:
            if f.line.unit.sub and f.line.unit.sub != sub and f.line.kind not in ("point", "scenario", "answer"):
                sub = f.line.unit.sub
                out.append(_LETTER_RE.sub("", sub) + ":")
            n = d.cite(self.chunk_for(ret, sec, f.line.unit, f.line.line))
            out.append(f"{as_item(f.line.text)} [{n}]")
        return out

    @staticmethod
    def _add_block(d: Draft, head: str, lines: list[str], room: int) -> None:
        """`head` and as many of `lines` as fit while the answer stays under `room` chars."""
        keep = []
        size = d.size + len(head) + 2
        for ln in lines:
            if size + len(ln) + 1 > room:
                break
            keep.append(ln)
            size += len(ln) + 1
        if keep:
            d.lines += ["", head, *keep]

    def _context(self, ret: Retrieval, sec: Section, units: list[Unit], d: Draft) -> None:
        """The section's scenario, 정답 and 시험 포인트 (not already quoted), within budget."""
        lines = []
        points_head = False
        for u in units:
            if u.kind == "point" and not points_head:
                lines.append(f"{u.sub or '시험 포인트'}:")
                points_head = True
            n = d.cite(self.chunk_for(ret, sec, u))
            lines.append(f"{u.display()} [{n}]")
        self._add_block(d, CONTEXT_HEAD, lines, room=MAX_CHARS)

    def not_found(self, ret: Retrieval) -> Composed:
        d = Draft()
        d.lines.append(NOT_FOUND_HEAD + " 가장 가까운 노트 섹션은 다음과 같습니다:")
        for sec in ret.sections[:3]:
            d.lines.append(f"- {sec.title} [{d.cite(self.chunk_for(ret, sec, sec.units[0]))}]")
        d.lines.append("질문을 노트에 나오는 용어로 바꾸어 다시 물어보세요.")
        return Composed(*used_sources("\n".join(d.lines), d.sources))


def check_citations(text: str, n: int) -> tuple[str, str | None]:
    """An LLM answer's citations: drop numbers that point at no excerpt; note when none is left."""
    bad = [m.group(0) for m in re.finditer(r"\[(\d+)\]", text) if not 1 <= int(m.group(1)) <= n]
    if bad:
        text = re.sub(r"\[(\d+)\]", lambda m: m.group(0) if 1 <= int(m.group(1)) <= n else "", text)
    if not re.search(r"\[\d+\]", text):
        refs = ", ".join(f"[{i}]" for i in range(1, n + 1))
        return f"{text}\n\n참고한 노트: {refs}", "LLM 답변에 출처 표시가 없어 참고한 노트 번호를 덧붙였습니다."
    return text, None
