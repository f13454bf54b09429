"""Multiple-choice items from the exam structure of a note, with distractors from the same
topic first: the notes' own wrong options ("(오답)" sub-sections, ❌ bullets), the other side
of a list or comparison, the other facts of the section, then sections of the same service.

  scenario  문제 시나리오 → 정답 (wrong options: the section's "(오답)" headings first)
  point     시험 포인트 "X = Y": X → Y and Y → X (the section's other points first)
  marks     ✅/❌ lists: "다음 중 FLEX 실행 클래스가 적합하지 않은 경우는?" (the other side)
  terms     "**term**: definition" bullets: definition → term and term → definition (the
            same list first)
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass

from .candidates import Candidate, fact_of, service_name
from .options import choose, clean_option, josa
from retriever.structure import NotesStructure, Section, Unit

_WRONG_SUB_RE = re.compile(r"\((?:오답|부분적)\)|오답|부적절|부적합")
_NEG_SUB_RE = re.compile(r"부적합|부적절|단점|오답|주의|한계|문제")
_POS_MARKS = ("✅", "✔", "✔️", "⭕")
_NEG_MARKS = ("❌", "✖", "🔶")


@dataclass(frozen=True)
class Family:
    """A section among the notes: the others, those of the same service first."""

    sec: Section
    near: tuple[Section, ...]  # other sections sharing a service word of the title
    rest: tuple[Section, ...]

    @property
    def others(self) -> tuple[Section, ...]:
        return self.near + self.rest


def family(sec: Section, struct: NotesStructure) -> Family:
    words = _service_words(sec)
    others = [s for s in struct.sections if s is not sec]
    near = tuple(s for s in others if words & _service_words(s))
    return Family(sec, near, tuple(s for s in others if s not in near))


def _service_words(sec: Section) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9]{2,}", sec.title)} - {"aws", "amazon", "the"}


def topic(sec: Section) -> str:
    """How a section is named in a question: its title without its number."""
    return sec.short_title or sec.title


def _mcq(sec: Section, unit: Unit | None, stem: str, answer: str, opts, expl: str, fact: str,
         form: str) -> Candidate:
    return Candidate("mcq", stem, opts, clean_option(answer), expl, sec, unit, fact, form=form)


def _tag(fam: Family, u: Unit) -> str:
    """"[topic] " when the term is named elsewhere in the notes too, else "": the topic's words
    would hint at the answer that shares them (a 시험 포인트 value echoes its section title)."""
    same = [v for s in (fam.sec, *fam.others) for v in s.units if v.term == u.term and v is not u]
    return f"[{topic(fam.sec)}] " if same else ""


def scenario_mcq(fam: Family, rng: random.Random) -> list[Candidate]:
    sec = fam.sec
    if sec.scenario is None or sec.answer is None or not sec.answer_text:
        return []
    stem = f"다음 상황에 가장 알맞은 해결책은?\n{sec.scenario.value}"
    wrong = [u.sub for u in sec.units if u.sub and _WRONG_SUB_RE.search(u.sub)]
    pools = [list(dict.fromkeys(wrong)), [s.answer_text for s in fam.near], [s.answer_text for s in fam.rest]]
    opts = choose(sec.answer_text, stem, pools, rng)
    if not opts:
        return []
    expl = f"노트의 정답: {clean_option(sec.answer_text)}"
    if sec.points:
        expl += f" / 시험 포인트: {sec.points[0].term} = {sec.points[0].value}"
    return [_mcq(sec, sec.answer, stem, sec.answer_text, opts, expl, fact_of(sec, sec.answer) + ":scenario", "scenario")]


def point_mcqs(fam: Family, rng: random.Random) -> list[Candidate]:
    sec, out = fam.sec, []
    for p in sec.points:
        if not (p.term and p.value):
            continue
        mine = [q for q in sec.points if q is not p]
        stem = f"{_tag(fam, p)}시험 포인트 '{p.term}'에 해당하는 것은?"
        opts = choose(p.value, stem, [[q.value for q in mine], _values(fam.near), _values(fam.rest)], rng)
        expl = f"시험 포인트: {p.term} = {p.value}"
        if opts:
            out.append(_mcq(sec, p, stem, p.value, opts, expl, fact_of(sec, p), "point"))
        stem = f"{_tag(fam, p)}다음은 어떤 시험 포인트에 대한 설명인가?\n→ {p.value}"
        opts = choose(p.term, stem, [[q.term for q in mine], _terms(fam.near), _terms(fam.rest)], rng)
        if opts:
            out.append(_mcq(sec, p, stem, p.term, opts, expl, fact_of(sec, p), "point"))
    return out


def _values(secs) -> list[str]:
    return [p.value for s in secs for p in s.points if p.value]


def _terms(secs) -> list[str]:
    return [p.term for s in secs for p in s.points if p.term]


def _side(u: Unit) -> int:
    """+1 for a ✅ item, -1 for a ❌/🔶 item or one under a "(오답)"/"부적합" label, 0 else."""
    if u.mark in _POS_MARKS:
        return -1 if _NEG_SUB_RE.search(u.sub) else 1
    if u.mark in _NEG_MARKS or (u.kind in ("bullet", "pro", "con") and u.sub and _WRONG_SUB_RE.search(u.sub)):
        return -1
    return 0


def _mark_text(u: Unit) -> str:
    return u.term if u.term else u.plain


def _mark_stem(sec: Section, u: Unit) -> str:
    subject = service_name(sec)
    sub = clean_option(u.sub)
    if re.search(r"적합|적절", u.sub):
        ok = "적합하지 않은" if _side(u) < 0 else "적합한"
        return f"다음 중 {josa(subject, '이/가')} {ok} 경우로 노트에 정리된 것은?"
    if sub and _WRONG_SUB_RE.search(u.sub):
        return f"[{topic(sec)}] 다음 중 '{sub}' 방식의 문제점으로 노트에 적힌 것은?"
    if sub:
        return f"[{topic(sec)}] 다음 중 노트의 '{sub}' 항목에 해당하는 것은?"
    side = "장점·적합한 경우(✅)" if _side(u) > 0 else "단점·부적합한 경우(❌)"
    return f"[{topic(sec)}] 다음 중 노트에 {side}로 정리된 것은?"


def mark_mcqs(fam: Family, rng: random.Random) -> list[Candidate]:
    """One item per ✅/❌ list: an item of the list among items of the other side."""
    sec, out = fam.sec, []
    groups: dict[tuple[str, int], list[Unit]] = {}
    for u in sec.units:
        if _side(u):
            groups.setdefault((u.sub, _side(u)), []).append(u)
    for (sub, side), items in groups.items():
        other = [_mark_text(u) for u in sec.units if _side(u) == -side]
        far = [_mark_text(u) for s in fam.others for u in s.units if _side(u) == -side]
        u = rng.choice(items)
        stem = _mark_stem(sec, u)
        opts = choose(_mark_text(u), stem, [other, far], rng)
        if opts:
            where = f"'{sub}'" if sub else "노트"
            expl = f"{where}에 {u.mark} {u.plain.lstrip(u.mark).strip()} 로 적혀 있습니다."
            out.append(_mcq(sec, u, stem, _mark_text(u), opts, expl, fact_of(sec, u) + ":mark", "mark"))
    return out


def term_mcqs(fam: Family, rng: random.Random) -> list[Candidate]:
    """Definition → term and term → definition for "**term**: definition" bullets."""
    sec, out = fam.sec, []
    defs = [u for u in sec.units if u.kind in ("bullet", "pro", "con") and u.term and len(u.value) >= 6
            and len(u.term) <= 30 and u.term.lower() not in u.value.lower()]
    for u in defs:
        sibs = [v for v in defs if v is not u and v.sub == u.sub]
        rest = [v for v in defs if v is not u and v.sub != u.sub]
        far = [v for s in fam.near for v in s.units if v.term and v.value and v.kind in ("bullet", "pro", "con")]
        # the topic and list stay in these stems: the siblings share their words, so the tag
        # raises every option's overlap with the question, not only the answer's
        tag = f"[{topic(sec)}{f' ({clean_option(u.sub)})' if u.sub else ''}] "
        stem = f"{tag}다음 설명에 해당하는 용어는?\n→ {clean_option(u.value)}"
        opts = choose(u.term, stem, [[v.term for v in sibs], [v.term for v in rest], [v.term for v in far]], rng,
                      max_tier=1)
        expl = f"노트: {u.term}: {clean_option(u.value)}"
        if opts:
            out.append(_mcq(sec, u, stem, u.term, opts, expl, fact_of(sec, u), "term"))
        stem = f"{tag}'{u.term}'에 대한 설명으로 노트에 적힌 것은?"
        opts = choose(u.value, stem, [[v.value for v in sibs], [v.value for v in rest], [v.value for v in far]],
                      rng, max_tier=1)
        if opts:
            out.append(_mcq(sec, u, stem, u.value, opts, expl, fact_of(sec, u), "term"))
    return out
