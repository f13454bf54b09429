"""`plan`: the 학습 계획 from today to the exam — reviews and new items per day within the daily
budget, whether it is feasible (else the budget that is), predicted recall on the exam day."""
from __future__ import annotations

import argparse
import json

from studyapp import StudyPlan, parse_at

from .common import UsageError, add_common, add_record_options, err, open_learner


def register(sub) -> None:
    p = sub.add_parser("plan", help="시험일까지 학습 계획 (a day-by-day plan to the exam)")
    add_common(p)
    add_record_options(p)
    p.add_argument("--exam", default=None, help="시험일 YYYY-MM-DD (기본: 저장한 시험일, 없으면 $STUDY_EXAM_DATE)")
    p.add_argument("--per-day", type=int, default=None, help="하루 문제 수 (기본: 내 설정, 없으면 20)")
    p.add_argument("--minutes", type=float, default=None,
                   help="하루 공부 시간(분): 내 평균 풀이 시간으로 문제 수로 바꿉니다 (--per-day 대신)")
    p.add_argument("--target", type=float, default=None, help="시험일 목표 기억률 (0.5~0.99, 기본 0.9)")
    p.add_argument("--at", default=None, help="이 시각 기준 (ISO 8601)")
    p.set_defaults(func=run)


def _pct(x: float) -> str:
    return f"{x:.0%}"


def print_plan(p: StudyPlan) -> None:
    d_day = (p.exam - p.at.date()).days
    print(f"📅 학습 계획 — {p.user} · 시험일 {p.exam.isoformat()} (D-{d_day}) · 하루 {p.per_day}문제 · "
          f"목표 기억률 {_pct(p.target)}")
    if p.feasible:
        print(f"✅ 하루 {p.per_day}문제로 계획대로 할 수 있습니다.")
    elif p.needed_per_day:
        print(f"⚠️ 하루 {p.per_day}문제로는 부족합니다: 하루 {p.needed_per_day}문제면 됩니다.")
    else:
        print("⚠️ 시험까지 남은 날로는 모든 문제를 익힐 수 없습니다.")
    print("날짜          복습  새 문제  합계")
    for day in p.days:
        mark = "  ← 오늘" if day.date == p.at.date() else ""
        print(f"{day.date.isoformat()}  {day.review:5d}  {day.new:7d}  {day.total:4d}{mark}")
    print(f"시험일 예상 기억률: 지금 그대로 {_pct(p.overall_now)} → 계획대로 {_pct(p.overall)}")
    for s in p.sections:
        print(f"  {_pct(s.now):>5} → {_pct(s.exam):>5}  {s.section}")


def run(args: argparse.Namespace) -> int:
    if args.minutes is not None and args.per_day is not None:
        raise UsageError("--per-day 와 --minutes 중 하나만 주세요.")
    at = parse_at(args.at) if args.at else None
    app, user = open_learner(args)
    if args.exam is None and app.exam_date(user) is None:
        raise UsageError("시험일이 없습니다: --exam YYYY-MM-DD 를 주거나 STUDY_EXAM_DATE 를 설정하세요 (no exam date).")
    if args.minutes is not None:
        b = app.budget(user, args.minutes)
        pace = "내 기록" if b.measured else "아직 기록이 없어 기본값"
        err(f"하루 {b.minutes:g}분 ≈ {b.per_day}문제 (문제당 {b.seconds_per_item:.0f}초, {pace})")
    plan = app.plan(user, exam=args.exam, per_day=args.per_day, target=args.target, at=at, minutes=args.minutes)
    if args.json:
        print(json.dumps(plan.to_dict(), ensure_ascii=False), flush=True)
    else:
        print_plan(plan)
    return 0
