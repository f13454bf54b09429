"""Multiple-choice items from the exam structure of a note, with distractors from the same
topic first: the notes' own wrong options ("(오답)" sub-sections, ❌ bullets), the other side
of a list or comparison, the other facts of the section, then sections of the same service
(`Far` tiers, looked up when a quiz is made). Each item is a draft: its options are chosen
per quiz (`pool.finish`).

  scenario  문제 시나리오 → 정답 (wrong options: the section's "(오답)" headings first)
  point     시험 포인트 "X = Y": X → Y and Y → X (the section's other points first)
  marks     ✅/❌ lists: "다음 중 FLEX 실행 클래스가 적합하지 않은 경우는?" (the other side)
  terms     "**term**: definition" bullets: definition → term and term → definition (the
            same list first — but never the same ✅/❌ list, whose every line is true of the
            list's subject: there the other side of the list and the other lists come first)
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..common.labels import readable_label
from ..common.particles import josa, particle
from .candidates import Candidate, Far, Tier, fact_of, service_name
from .options import clean_option
from retriever.structure import Section, Unit

_WRONG_SUB_RE = re.compile(r"\((?:오답|부분적)\)|오답|부적절|부적합")
_NEG_SUB_RE = re.compile(r"부적합|부적절|단점|오답|주의|한계|문제")
_POS_MARKS = ("✅", "✔", "✔️", "⭕")
_NEG_MARKS = ("❌", "✖", "🔶")


@dataclass(frozen=True)
class Family:
    """A section and the other sections of its note (the other notes are reached through
    `Far` tiers only, so a note's items depend on that note alone)."""

    sec: Section
    note: tuple[Section, ...]  # the other sections of the same note


def family(sec: Section, note: tuple[Section, ...]) -> Family:
    return Family(sec, tuple(s for s in note if s is not sec))


def service_words(sec: Section) -> frozenset[str]:
    """The English service words of a section's title (Athena, Redshift …): what makes two
    sections "near" for distractors."""
    return frozenset({w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9]{2,}", sec.title)} - {"aws", "amazon", "the"})


def topic(sec: Section) -> str:
    """How a section is named in a question: its title without its number."""
    return sec.short_title or sec.title


def _mcq(sec: Section, unit: Unit | None, stem: str, answer: str, pools: tuple[Tier, ...], expl: str, fact: str,
         form: str, max_tier: int | None = None) -> Candidate:
    return Candidate("mcq", stem, (), clean_option(answer), expl, sec, unit, fact, form=form, pools=pools,
                     max_tier=max_tier)


def _tag(fam: Family, u: Unit) -> str:
    """"[topic] " when the term is named elsewhere in its note too, else "": the topic's words
    would hint at the answer that shares them (a 시험 포인트 value echoes its section title)."""
    same = [v for s in (fam.sec, *fam.note) for v in s.units if v.term == u.term and v is not u]
    return f"[{topic(fam.sec)}] " if same else ""


def scenario_mcq(fam: Family) -> list[Candidate]:
    sec = fam.sec
    if sec.scenario is None or sec.answer is None or not sec.answer_text:
        return []
    stem = f"다음 상황에 가장 알맞은 해결책은?\n{sec.scenario.value}"
    wrong = [u.sub for u in sec.units if u.sub and _WRONG_SUB_RE.search(u.sub)]
    pools = (tuple(dict.fromkeys(wrong)), Far("answer", True), Far("answer", False))
    expl = f"노트의 정답: {clean_option(sec.answer_text)}"
    if sec.points:
        expl += f" / 시험 포인트: {sec.points[0].term} = {sec.points[0].value}"
    return [_mcq(sec, sec.answer, stem, sec.answer_text, pools, expl, fact_of(sec, sec.answer) + ":scenario",
                 "scenario")]


def point_mcqs(fam: Family) -> list[Candidate]:
    sec, out = fam.sec, []
    for p in sec.points:
        if not (p.term and p.value):
            continue
        mine = [q for q in sec.points if q is not p]
        expl = f"시험 포인트: {p.term} = {p.value}"
        stem = f"{_tag(fam, p)}시험 포인트 '{p.term}'에 해당하는 것은?"
        pools = (tuple(q.value for q in mine), Far("point.value", True), Far("point.value", False))
        out.append(_mcq(sec, p, stem, p.value, pools, expl, fact_of(sec, p), "point"))
        stem = f"{_tag(fam, p)}다음은 어떤 시험 포인트에 대한 설명인가?\n→ {p.value}"
        pools = (tuple(q.term for q in mine), Far("point.term", True), Far("point.term", False))
        out.append(_mcq(sec, p, stem, p.term, pools, expl, fact_of(sec, p), "point"))
    return out


def side_of(u: Unit) -> int:
    """+1 for a ✅ item, -1 for a ❌/🔶 item or one under a "(오답)"/"부적합" label, 0 else."""
    if u.mark in _POS_MARKS:
        return -1 if _NEG_SUB_RE.search(u.sub) else 1
    if u.mark in _NEG_MARKS or (u.kind in ("bullet", "pro", "con") and u.sub and _WRONG_SUB_RE.search(u.sub)):
        return -1
    return 0


def mark_text(u: Unit) -> str:
    return u.term if u.term else u.plain


def _mark_stem(sec: Section, u: Unit) -> str:
    subject = service_name(sec)
    sub = clean_option(u.sub)
    if re.search(r"적합|적절", u.sub):
        ok = "적합하지 않은" if side_of(u) < 0 else "적합한"
        return f"다음 중 {josa(subject, '이/가')} {ok} 경우로 노트에 정리된 것은?"
    if sub and _WRONG_SUB_RE.search(u.sub):
        way = re.sub(r"\s*방식$", "", sub)
        return f"[{topic(sec)}] 다음 중 '{way}' 방식의 문제점으로 노트에 적힌 것은?"
    if sub:
        return f"[{topic(sec)}] 다음 중 노트의 '{sub}' 항목에 해당하는 것은?"
    side = "장점·적합한 경우(✅)" if side_of(u) > 0 else "단점·부적합한 경우(❌)"
    return f"[{topic(sec)}] 다음 중 노트에 {side}{particle(side, '(으)로')} 정리된 것은?"


def written_as(where: str, text: str, mark: str = "") -> str:
    """"노트의 '잘못된 방식: 데이터 복사' 목록에 ❌ 「…」(으)로 적혀 있습니다." — where a line is."""
    place = f"노트의 '{readable_label(where)}' 목록에" if where else "노트에"
    return f"{place} {mark + ' ' if mark else ''}「{text}」{particle(text, '(으)로')} 적혀 있습니다."


def mark_mcqs(fam: Family) -> list[Candidate]:
    """✅/❌ lists: an item of a list among items of the other side — one per list in a quiz
    (the items of a list share their fact)."""
    sec, out = fam.sec, []
    for u in sec.units:
        side = side_of(u)
        if not side:
            continue
        other = tuple(mark_text(v) for v in sec.units if side_of(v) == -side)
        stem = _mark_stem(sec, u)
        expl = written_as(u.sub, u.plain.lstrip(u.mark).strip(), u.mark)
        out.append(_mcq(sec, u, stem, mark_text(u), (other, Far(f"mark:{-side}")), expl,
                        f"{sec.source}:{sec.lines[0]}:{u.sub}:{side}:mark", "mark"))
    return out


def _def_tiers(u: Unit, defs: list[Unit], attr: str) -> tuple[Tier, ...]:
    """Distractor tiers for a definition: the same list first — unless it is a ✅/❌ list,
    whose every line is true of the list's subject; then the other side and the other lists."""
    side = side_of(u)
    if side:
        opposite = tuple(getattr(v, attr) for v in defs if side_of(v) == -side)
        others = tuple(getattr(v, attr) for v in defs if v.sub != u.sub and side_of(v) != side and side_of(v) != -side)
        return opposite, others
    sibs = tuple(getattr(v, attr) for v in defs if v is not u and v.sub == u.sub)
    rest = tuple(getattr(v, attr) for v in defs if v is not u and v.sub != u.sub and not side_of(v))
    return sibs, rest


def term_mcqs(fam: Family) -> list[Candidate]:
    """Definition → term and term → definition for "**term**: definition" bullets."""
    sec, out = fam.sec, []
    defs = [u for u in sec.units if u.kind in ("bullet", "pro", "con") and u.term and len(u.value) >= 6
            and len(u.term) <= 30 and u.term.lower() not in u.value.lower()]
    for u in defs:
        # the topic and list stay in these stems: the siblings share their words, so the tag
        # raises every option's overlap with the question, not only the answer's
        tag = f"[{topic(sec)}{f' ({readable_label(u.sub)})' if u.sub else ''}] "
        expl = f"노트: {u.term}: {clean_option(u.value)}"
        stem = f"{tag}다음 설명에 해당하는 용어는?\n→ {clean_option(u.value)}"
        out.append(_mcq(sec, u, stem, u.term, _def_tiers(u, defs, "term"), expl, fact_of(sec, u), "term", 1))
        stem = f"{tag}'{u.term}'에 대한 설명으로 노트에 적힌 것은?"
        out.append(_mcq(sec, u, stem, u.value, _def_tiers(u, defs, "value"), expl, fact_of(sec, u), "term", 1))
    return out
