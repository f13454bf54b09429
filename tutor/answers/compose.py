"""The template answer: what was asked first, a 핵심 답 for *this* question, then the
section's context.

The first line is the verdict of a yes/no question (`**예** — …` / `**아니요** — …` with the
deciding line, or `**노트로는 판단할 수 없습니다** — …`) or the amount of an amount question
(`**$0.22/DPU-hour** — …`), as `shape` judged them. Then it quotes the notes verbatim, every
line marked `[n]` with its chunk: the best section's title; up to three lines picked for the
question (`focus`: prose, list items, table rows — code lines only when the question asks for
code, else they follow as related lines); a few more related lines; then the section's 문제
시나리오, 정답 and 시험 포인트 as far as the 900-character budget allows. A follow-up answered
about the previous turn's topic says so. When the notes do not cover what the question asks
it says so first (`**노트에서 찾지 못했습니다** — …`, with what they lack) and lists the nearest
sections instead of inventing anything.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from retriever import Hit, NotesLibrary

from .evidence import Retrieval
from .focus import FocusLine, LineScorer, focus_lines
from .shape import NOT_COVERED, Judged, amount_hints, amount_line, clip_line, code_asked, lead_amount, missing_text, \
    naming, prose_first, verdict_head
from ..common.question_type import classify
from retriever.structure import Section, Unit

_LETTER_RE = re.compile(r"^[A-Za-z][.)]\s+")  # "A. " of a lettered sub-section
MAX_CHARS = 800  # soft budget of a template answer
HARD_MAX = 900  # never more
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
    verdict: str | None = None  # "yes" | "no" | "unknown" | None (see shape.Judged.verdict_value)
    covered: bool = True


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
               followup: bool = False, judged: Judged | None = None) -> Composed:
        """The template answer; with `judged` (see `shape`) it opens with the verdict, the
        amount, or that the notes do not cover the question."""
        if not ret.sections:
            return Composed(EMPTY_NOTES, [], verdict="unknown" if judged else None, covered=False)
        if judged is not None and not judged.covered or judged is None and not ret.found:
            return self.not_found(ret, judged)
        sec = ret.sections[0]
        own = question if question is not None else ret.query
        picked = self.focus(ret, question, carried)
        if not picked:
            return self.not_found(ret, judged)
        d = Draft()
        lead = self._lead(ret, sec, own, picked, judged, d)
        if lead is not None:
            picked = [f for f in picked if f.line != lead]
        if code_asked(own, judged.qt if judged else None):
            core, more = picked[:3], picked[3:]
        else:
            core, more = prose_first(picked)
        if followup:
            d.lines.append(followup_line(sec))
        d.lines.append(f"**{sec.title}** [{d.cite(self.chunk_for(ret, sec, sec.units[0]))}]")
        d.lines.append(CORE_HEAD)
        d.lines += self._quotes(ret, sec, core, d)
        shown = [f.line for f in core] + ([lead] if lead is not None else [])
        context = [u for u in (sec.scenario, sec.answer, *sec.points)
                   if u is not None and not any(ln.unit == u for ln in shown)]
        more = [f for f in more if f.line.unit not in context and f.line.kind not in ("scenario", "answer")]
        self._add_block(d, MORE_HEAD, self._quotes(ret, sec, more[:MORE_LINES], d), room=MAX_CHARS - 300)
        self._context(ret, sec, context, d)
        text = "\n".join(d.lines).strip()
        while len(text) > HARD_MAX and len(d.lines) > 3:  # defensive: drop from the end
            d.lines.pop()
            text = "\n".join(d.lines).strip()
        return Composed(*used_sources(text, d.sources), topic=sec.short_title,
                        verdict=judged.verdict_value if judged else None)

    def _lead(self, ret: Retrieval, sec: Section, question: str, picked: list[FocusLine],
              judged: Judged | None, d: Draft):
        """Writes the first line — a verdict or an amount — and returns the quoted line it
        holds (None: no such line, or the answer opens with its title)."""
        if judged is None:
            return None
        v = judged.verdict
        if v is not None:
            if v.value in ("yes", "no") and v.line is not None:
                n = d.cite(self.chunk_for(ret, sec, v.line.unit, v.line.line))
                d.lines.append(f"{verdict_head(v)} — {clip_line(v.line.text)} [{n}]")
                return v.line
            d.lines.append(f"{verdict_head(v)} — 노트에 이 질문을 예/아니요로 가르는 줄이 없습니다. "
                           "가장 가까운 내용은 아래와 같습니다.")
            return None
        if judged.qt.kind == "amount":
            f = amount_line(naming(picked, question, sec.title), question, judged.qt, self._overlap(question, sec))
            amount = lead_amount(f.line.text, question, judged.qt) if f is not None else ""
            if f is not None and amount:
                n = d.cite(self.chunk_for(ret, sec, f.line.unit, f.line.line))
                d.lines.append(f"**{amount}** — {clip_line(f.line.text)} [{n}]")
                return f.line
        return None

    def _overlap(self, question: str, sec: Section):
        """`line → weight`: the IDF weight of the question's words a line holds (its label's at
        half), and the asked period or change said another way ("1년에 얼마를 아껴" → "연간 절약액")."""
        lib = self.library
        tw = lib.term_stats()
        asked = set(lib.tokenizer(question))
        scorer = self.scorer()

        def weight(ln) -> float:
            own, label = scorer.terms([ln.text, ln.label])
            return (sum(tw(t) for t in asked & own) + 0.5 * sum(tw(t) for t in (asked & label) - own)
                    + amount_hints(question, f"{ln.label} {ln.text}"))
        return weight

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

    def not_found(self, ret: Retrieval, judged: Judged | None = None) -> Composed:
        """The notes do not cover the question: say so, say what they lack, offer the nearest
        sections."""
        d = Draft()
        near = ret.sections[0].short_title if ret.sections else ""
        why = missing_text(judged.coverage, near) if judged is not None else missing_text_plain()
        d.lines.append(f"{NOT_COVERED} — {why}")
        d.lines.append("가장 가까운 노트 섹션:")
        for sec in ret.sections[:3]:
            d.lines.append(f"- {sec.title} [{d.cite(self.chunk_for(ret, sec, sec.units[0]))}]")
        d.lines.append("질문을 노트에 나오는 용어로 바꾸어 다시 물어보세요.")
        return Composed(*used_sources("\n".join(d.lines), d.sources), verdict="unknown", covered=False)


def missing_text_plain() -> str:
    return "이 질문에 답하는 내용이 노트에 없습니다."


def check_citations(text: str, n: int) -> tuple[str, str | None]:
    """An LLM answer's citations: drop numbers that point at no excerpt; note when none is left."""
    bad = [m.group(0) for m in re.finditer(r"\[(\d+)\]", text) if not 1 <= int(m.group(1)) <= n]
    if bad:
        text = re.sub(r"\[(\d+)\]", lambda m: m.group(0) if 1 <= int(m.group(1)) <= n else "", text)
    if not re.search(r"\[\d+\]", text):
        refs = ", ".join(f"[{i}]" for i in range(1, n + 1))
        return f"{text}\n\n참고한 노트: {refs}", "LLM 답변에 출처 표시가 없어 참고한 노트 번호를 덧붙였습니다."
    return text, None
