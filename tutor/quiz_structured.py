"""Items from the exam structure of a note: 문제 시나리오 → 정답 multiple choice, ✅/❌ and
"X = Y" O/X statements, 시험 포인트 and "term: definition" short answers."""
from __future__ import annotations

import random

from .quiz_items import Candidate, fact_of, make_options, service_name
from .structure import Section


def mcq(sec: Section, others: list[Section], rng: random.Random) -> list[Candidate]:
    out = []
    if sec.scenario is not None and sec.answer is not None and sec.answer_text:
        pool = [s.answer_text for s in others if s.answer_text]
        if len(pool) < 3:
            pool += [service_name(s) for s in others]
        opts = make_options(sec.answer_text, pool, rng)
        if opts:
            expl = f"노트의 정답: {sec.answer_text}"
            if sec.points:
                expl += f" / 시험 포인트: {sec.points[0].term} = {sec.points[0].value}"
            out.append(Candidate("mcq", f"다음 상황에 가장 알맞은 해결책은?\n{sec.scenario.value}", opts,
                                 sec.answer_text, expl, sec, sec.answer, fact_of(sec, sec.answer) + ":scenario",
                                 priority=0))
    other_values = [p.value for s in others for p in s.points]
    for p in sec.points:
        opts = make_options(p.value, other_values, rng)
        if opts:
            out.append(Candidate("mcq", f"[{sec.short_title}] 시험 포인트 '{p.term}'에 해당하는 것은?", opts,
                                 p.value, f"시험 포인트: {p.term} = {p.value}", sec, p, fact_of(sec, p)))
    return out


def ox(sec: Section, others: list[Section], rng: random.Random) -> list[Candidate]:
    out = []
    for u in sec.units:
        if u.kind in ("pro", "con") and u.term and u.value:
            stmt = (f"[{sec.short_title}] 노트에서 다음 내용은 장점 또는 적합한 경우(✅)로 정리되어 있다.\n"
                    f"「{u.term}: {u.value}」")
            ans = "O" if u.kind == "pro" else "X"
            where = f"'{u.sub}' 항목" if u.sub else "노트"
            expl = f"{where}에 {u.mark} {u.term}: {u.value} 로 적혀 있습니다."
            out.append(Candidate("ox", stmt, ("O", "X"), ans, expl, sec, u, fact_of(sec, u)))
    other_values = [p.value for s in others for p in s.points]
    for p in sec.points:
        if rng.random() < 0.5 or not other_values:
            out.append(Candidate("ox", f"[{sec.short_title}] 시험 포인트: 「{p.term}」 = 「{p.value}」", ("O", "X"),
                                 "O", f"맞습니다. 시험 포인트: {p.term} = {p.value}", sec, p, fact_of(sec, p)))
        else:
            wrong = rng.choice(sorted(set(other_values) - {p.value}) or other_values)
            out.append(Candidate("ox", f"[{sec.short_title}] 시험 포인트: 「{p.term}」 = 「{wrong}」", ("O", "X"),
                                 "X", f"틀렸습니다. 노트의 시험 포인트는 {p.term} = {p.value} 입니다.", sec, p,
                                 fact_of(sec, p)))
    return out


def short(sec: Section) -> list[Candidate]:
    out = []
    for p in sec.points:
        if p.term and len(p.term) <= 30 and p.term not in p.value:
            out.append(Candidate("short", f"[{sec.short_title}] 다음 시험 포인트에 해당하는 핵심 개념은?\n→ {p.value}",
                                 (), p.term, f"시험 포인트: {p.term} = {p.value}", sec, p, fact_of(sec, p)))
    for u in sec.units:
        if u.kind in ("bullet", "pro", "con") and u.term and u.value and len(u.term) <= 25 \
                and u.term.lower() not in u.value.lower() and len(u.value) >= 8:
            where = f" ({u.sub})" if u.sub else ""
            out.append(Candidate("short", f"[{sec.short_title}{where}] 다음 설명에 해당하는 용어는?\n→ {u.value}",
                                 (), u.term, f"노트: {u.term}: {u.value}", sec, u, fact_of(sec, u)))
    return out
