"""O/X statements and short answers from the structure of a note: ✅/❌ bullets, 시험 포인트
"X = Y", "term: definition" bullets. (Multiple choice: `mcq`, `code_items`, `table_items`.)

Every O/X item says what O and X mean. A false statement never pairs a label with the value
of another label of the same list — that value is often roughly true of it too — but takes
a value from the other sections of the notes (another service's fact: clearly false), looked
up when a quiz is made; whether an item is shown true or false is chosen per quiz too.
"""
from __future__ import annotations

from ..common.labels import readable_label
from ..common.particles import particle
from .candidates import SHOWN, Candidate, Far, fact_of
from .mcq import Family, topic, written_as
from .options import clean_option
from retriever.structure import Section, Unit

OX_HOW = "노트의 내용과 맞으면 O, 틀리면 X"


def ox(fam: Family) -> list[Candidate]:
    sec, out = fam.sec, []
    for u in sec.units:
        if u.kind in ("pro", "con") and u.term and u.value:
            stmt = (f"[{topic(sec)}] 노트에 다음 내용이 장점 또는 적합한 경우(✅)로 정리되어 있으면 O, "
                    f"아니면 X:\n「{u.term}: {u.value}」")
            expl = written_as(u.sub, f"{u.term}: {u.value}", u.mark)
            out.append(Candidate("ox", stmt, ("O", "X"), "O" if u.kind == "pro" else "X", expl, sec, u,
                                 fact_of(sec, u), shown=u.value, truth=u.value, label=u.term))
    for p in sec.points:
        if p.term and p.value:
            out.append(_statement(sec, p, f"시험 포인트 「{p.term}」 = 「{SHOWN}」", Far("point.value", False)))
    for u in sec.units:
        if u.kind == "bullet" and u.term and u.value and len(u.value) >= 6:
            out.append(_statement(sec, u, f"'{u.term}': 「{SHOWN}」", Far("def.value", False)))
    return out


def _statement(sec: Section, u: Unit, body: str, wrong: Far) -> Candidate:
    """An O/X draft: the value shown true, or false with a value from another section."""
    sep = " = " if u.kind == "point" else ": "
    return Candidate("ox", f"[{topic(sec)}] {OX_HOW}:\n{body}", ("O", "X"), "O",
                     f"맞습니다. 노트: {u.term}{sep}{u.value}", sec, u, fact_of(sec, u), wrong=(wrong,),
                     shown=clean_option(u.value), truth=clean_option(u.value), label=u.term,
                     explain_false=f"틀렸습니다. 노트에는 「{u.term}{sep}{u.value}」{particle(u.value, '(으)로')} "
                                   "적혀 있습니다.")


def short(sec: Section) -> list[Candidate]:
    out = []
    for p in sec.points:
        if p.term and len(p.term) <= 30 and p.term not in p.value:
            out.append(Candidate("short", f"[{topic(sec)}] 다음 시험 포인트에 해당하는 핵심 개념은?\n→ {p.value}",
                                 (), p.term, f"시험 포인트: {p.term} = {p.value}", sec, p, fact_of(sec, p)))
    for u in sec.units:
        if u.kind in ("bullet", "pro", "con") and u.term and u.value and len(u.term) <= 25 \
                and u.term.lower() not in u.value.lower() and len(u.value) >= 8:
            where = f" ({readable_label(u.sub)})" if u.sub else ""
            out.append(Candidate("short", f"[{topic(sec)}{where}] 다음 설명에 해당하는 용어는?\n→ {u.value}",
                                 (), u.term, f"노트: {u.term}: {u.value}", sec, u, fact_of(sec, u)))
    return out

