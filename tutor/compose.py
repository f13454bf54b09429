"""The template answer: the best section's own lines, each marked `[n]` with its chunk.

It quotes the notes verbatim: the section's title, its 문제 시나리오 and 정답 lines, its
units most relevant to the question (above a share of the best score, within a character
budget), and its 시험 포인트. When the notes do not cover the question it says so and lists
the nearest sections instead of inventing anything.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from retriever import Hit, NotesLibrary, Tokenizer

from .evidence import Retrieval
from .followup import NOT_FOUND_HEAD
from .structure import Section, Unit

MAX_CHARS = 1200  # soft budget of a template answer
HARD_MAX = 1500  # never more
EMPTY_NOTES = ("노트가 비어 있거나 색인되지 않아 답할 수 없습니다. 노트를 추가한 뒤 "
               "`python -m tutor index`를 실행해 주세요.")


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


def render_unit(u: Unit, query: str, tokenizer: Tokenizer) -> str:
    """A unit as quoted in an answer; a code block is cut to the lines around the best match."""
    if u.kind != "code":
        return u.display()
    lines = u.text.split("\n")
    qterms = set(tokenizer(query))
    scores = [len(qterms & set(tokenizer(ln))) for ln in lines]
    best = max(range(len(lines)), key=lambda i: (scores[i], -i)) if lines else 0
    lo = max(0, best - 3)
    hi = min(len(lines), lo + 7)
    snippet = "\n".join(lines[lo:hi]).rstrip()
    return f"```\n{snippet}\n```"


class Composer:
    """Writes template answers from a Retrieval over one library."""

    def __init__(self, library: NotesLibrary) -> None:
        self.library = library

    def chunk_for(self, ret: Retrieval, sec: Section, unit: Unit) -> Hit:
        """The chunk a quoted unit comes from (scored as retrieval scored it)."""
        h = self.library.chunk_near(sec.source, unit.line, within=sec.lines)
        if h is None:
            return Hit(rank=0, score=0.0, source=sec.source, heading=sec.heading, lines=sec.lines, text="")
        scored = next((x for x in ret.hits if (x.source, x.lines) == (h.source, h.lines)), None)
        return replace(h, rank=0, score=scored.score if scored else 0.0)

    def answer(self, ret: Retrieval) -> tuple[str, list[Hit]]:
        if not ret.sections:
            return EMPTY_NOTES, []
        if not ret.found:
            return self.not_found(ret)
        sec = ret.sections[0]
        fixed = [u for u in (sec.scenario, sec.answer) if u is not None]
        points = list(sec.points)
        picked = self._pick(ret, fixed, points)
        if not picked and not fixed and not points:
            return self.not_found(ret)
        d = Draft()
        d.lines.append(f"**{sec.title}** [{d.cite(self.chunk_for(ret, sec, sec.units[0]))}]")
        for u in fixed:
            d.lines.append(f"{u.text} [{d.cite(self.chunk_for(ret, sec, u))}]")
        body = self._body(ret, sec, picked, d)
        if body:
            d.lines.append("")
            d.lines.extend(body)
        if points:
            d.lines.append("")
            d.lines.append(f"{points[0].sub or '시험 포인트'}:")
            for u in points:
                d.lines.append(f"{u.display()} [{d.cite(self.chunk_for(ret, sec, u))}]")
        text = "\n".join(d.lines).strip()
        while len(text) > HARD_MAX and len(d.lines) > 2:  # defensive: drop from the middle
            d.lines.pop(len(d.lines) // 2)
            text = "\n".join(d.lines).strip()
        return used_sources(text, d.sources)

    def _pick(self, ret: Retrieval, fixed: list[Unit], points: list[Unit]) -> list[Unit]:
        """The most relevant other units, above a share of the best score, within the budget."""
        sec = ret.sections[0]
        best = ret.scored[0].score if ret.scored else 0.0
        picked: list[Unit] = []
        budget = MAX_CHARS - sum(len(u.display()) + 6 for u in fixed + points) - len(sec.title) - 20
        for s in ret.scored:
            u = s.unit
            if u in fixed or u in points or u.kind in ("scenario", "answer"):
                continue
            if len(picked) >= 6 or s.score < 0.5 * best or s.score <= 0.05:
                break
            text = render_unit(u, ret.query, self.library.tokenizer)
            if len(text) + 6 > budget:
                continue
            picked.append(u)
            budget -= len(text) + 6 + (len(u.sub) + 2 if u.sub else 0)
        return picked

    def _body(self, ret: Retrieval, sec: Section, picked: list[Unit], d: Draft) -> list[str]:
        sub = None
        body: list[str] = []
        tok = self.library.tokenizer
        for u in sorted(picked, key=lambda x: x.line):
            labelled = False
            if u.sub and u.sub != sub:
                body.append(f"{u.sub}:")
                sub, labelled = u.sub, True
            n = d.cite(self.chunk_for(ret, sec, u))
            if u.kind == "code":  # a marker after a closing fence would break the fence
                if labelled:
                    body[-1] += f" [{n}]"
                    body.append(render_unit(u, ret.query, tok))
                else:
                    body.append(render_unit(u, ret.query, tok) + f"\n[{n}]")
            else:
                body.append(f"{render_unit(u, ret.query, tok)} [{n}]")
        return body

    def not_found(self, ret: Retrieval) -> tuple[str, list[Hit]]:
        d = Draft()
        d.lines.append(NOT_FOUND_HEAD + " 가장 가까운 노트 섹션은 다음과 같습니다:")
        for sec in ret.sections[:3]:
            d.lines.append(f"- {sec.title} [{d.cite(self.chunk_for(ret, sec, sec.units[0]))}]")
        d.lines.append("질문을 노트에 나오는 용어로 바꾸어 다시 물어보세요.")
        return used_sources("\n".join(d.lines), d.sources)


def check_citations(text: str, n: int) -> tuple[str, str | None]:
    """An LLM answer's citations: drop numbers that point at no excerpt; note when none is left."""
    bad = [m.group(0) for m in re.finditer(r"\[(\d+)\]", text) if not 1 <= int(m.group(1)) <= n]
    if bad:
        text = re.sub(r"\[(\d+)\]", lambda m: m.group(0) if 1 <= int(m.group(1)) <= n else "", text)
    if not re.search(r"\[\d+\]", text):
        refs = ", ".join(f"[{i}]" for i in range(1, n + 1))
        return f"{text}\n\n참고한 노트: {refs}", "LLM 답변에 출처 표시가 없어 참고한 노트 번호를 덧붙였습니다."
    return text, None
