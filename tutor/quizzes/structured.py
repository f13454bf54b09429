"""O/X statements and short answers from the structure of a note: ✅/❌ bullets, 시험 포인트
"X = Y", "term: definition" bullets. A false statement swaps in a value from the same list or
section first, so it is as plausible as the true one. (Multiple choice: `quiz_mcq`,
`quiz_code`, `quiz_tables`.)"""
from __future__ import annotations

import random

from .candidates import Candidate, fact_of
from .mcq import Family, topic
from .options import clean_option
from retriever.structure import Section, Unit


def _swap(value: str, near: list[str], far: list[str], rng: random.Random) -> str | None:
    """Another value, from `near` when it has one."""
    for pool in (near, far):
        pool = sorted({v for v in pool if v and clean_option(v) != clean_option(value)})
        if pool:
            return rng.choice(pool)
    return None


def ox(fam: Family, rng: random.Random) -> list[Candidate]:
    sec, out = fam.sec, []
    for u in sec.units:
        if u.kind in ("pro", "con") and u.term and u.value:
            stmt = (f"[{topic(sec)}] 노트에서 다음 내용은 장점 또는 적합한 경우(✅)로 정리되어 있다.\n"
                    f"「{u.term}: {u.value}」")
            where = f"'{u.sub}' 항목" if u.sub else "노트"
            expl = f"{where}에 {u.mark} {u.term}: {u.value} 로 적혀 있습니다."
            out.append(Candidate("ox", stmt, ("O", "X"), "O" if u.kind == "pro" else "X", expl, sec, u, fact_of(sec, u)))
    far = [p.value for s in fam.others for p in s.points]
    for p in sec.points:
        out.append(_statement(sec, p, f"시험 포인트: 「{p.term}」 = ", p.value,
                              [q.value for q in sec.points if q is not p], far, rng))
    defs = [u for u in sec.units if u.kind == "bullet" and u.term and u.value and len(u.value) >= 6]
    for u in defs:
        sibs = [v.value for v in defs if v is not u and v.sub == u.sub]
        if sibs:  # a definition swapped with a sibling's: the same kind of sentence
            out.append(_statement(sec, u, f"'{u.term}': ", u.value, sibs, [], rng))
    return out


def _statement(sec: Section, u: Unit, head: str, value: str, near: list[str], far: list[str],
               rng: random.Random) -> Candidate:
    wrong = _swap(value, near, far, rng)
    fact = fact_of(sec, u)
    if rng.random() < 0.5 or wrong is None:
        return Candidate("ox", f"[{topic(sec)}] {head}「{clean_option(value)}」", ("O", "X"), "O",
                         f"맞습니다. 노트: {u.term} = {value}" if u.kind == "point" else f"맞습니다. 노트: {u.term}: {value}",
                         sec, u, fact)
    return Candidate("ox", f"[{topic(sec)}] {head}「{clean_option(wrong)}」", ("O", "X"), "X",
                     f"틀렸습니다. 노트에는 {u.term}{' = ' if u.kind == 'point' else ': '}{value} 로 적혀 있습니다.",
                     sec, u, fact)


def short(sec: Section) -> list[Candidate]:
    out = []
    for p in sec.points:
        if p.term and len(p.term) <= 30 and p.term not in p.value:
            out.append(Candidate("short", f"[{topic(sec)}] 다음 시험 포인트에 해당하는 핵심 개념은?\n→ {p.value}",
                                 (), p.term, f"시험 포인트: {p.term} = {p.value}", sec, p, fact_of(sec, p)))
    for u in sec.units:
        if u.kind in ("bullet", "pro", "con") and u.term and u.value and len(u.term) <= 25 \
                and u.term.lower() not in u.value.lower() and len(u.value) >= 8:
            where = f" ({u.sub})" if u.sub else ""
            out.append(Candidate("short", f"[{topic(sec)}{where}] 다음 설명에 해당하는 용어는?\n→ {u.value}",
                                 (), u.term, f"노트: {u.term}: {u.value}", sec, u, fact_of(sec, u)))
    return out
