"""The learning record on the command line: `review`, `wrong`, `progress` (`grade` has its own module)."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from studyapp import REASON_LABELS, REVIEW_SIZE, Progress, ReviewQueue, WrongNotes, location, parse_at, strip_marks

from .common import UsageError, add_common, add_record_options, err, export_format, open_learner
from .drill import drill


def register(sub) -> None:
    p = sub.add_parser("review", help="오늘 복습할 문제 (today's plan, else due first, then weak sections)")
    add_common(p)
    add_record_options(p)
    p.add_argument("--n", type=int, default=None,
                   help=f"문항 수 (기본: 학습 계획이 있는 날은 오늘 계획 전부, 아니면 {REVIEW_SIZE})")
    p.add_argument("--at", default=None, help="이 시각 기준 (ISO 8601, 예: 2026-12-20T08:00)")
    p.add_argument("--interactive", action="store_true", help="터미널에서 풀고 기록하기")
    p.set_defaults(func=run_review)

    p = sub.add_parser("wrong", help="오답 노트 (the wrong-answer notebook)")
    add_common(p)
    add_record_options(p)
    p.add_argument("--format", choices=("csv", "anki"), default=None, help="내보내기 형식")
    p.add_argument("--out", default=None, help="내보낼 파일 경로")
    p.set_defaults(func=run_wrong)

    p = sub.add_parser("progress", help="학습 현황 (progress per section)")
    add_common(p)
    add_record_options(p)
    p.add_argument("--at", default=None, help="이 시각 기준 (ISO 8601)")
    p.set_defaults(func=run_progress)


def _at(args: argparse.Namespace):
    if not args.at:
        return None
    return parse_at(args.at)


def _print_queue(q: ReviewQueue) -> None:
    if not q.items:
        print("지금 복습할 문제가 없습니다.")
    for i, e in enumerate(q.items, start=1):
        due = e.due.strftime("%m-%d %H:%M") if e.due else "새 문제"
        print(f"[{i}] ({REASON_LABELS.get(e.reason, e.reason)}, {due}) {strip_marks(e.item.question.splitlines()[0])}"
              f"  — {e.item.id}")


def run_review(args: argparse.Namespace) -> int:
    if args.n is not None and args.n < 1:
        raise UsageError("--n 은 1 이상이어야 합니다.")
    app, user = open_learner(args)
    queue = app.review(user, n=args.n, at=_at(args))
    if args.interactive:
        right, answered = drill(app, user, [e.item for e in queue.items])
        print(f"\n🏁 복습 끝: {right}/{answered} 정답 (기록됨)")
    elif args.json:
        print(json.dumps(queue.to_dict(), ensure_ascii=False), flush=True)
    else:
        _print_queue(queue)
    return 0


def _print_wrong(notes: WrongNotes) -> None:
    if not notes.items:
        print("오답 노트가 비어 있습니다. 🎉")
    for i, e in enumerate(notes.items, start=1):
        src = e.item.source
        print(f"\n[{i}] {strip_marks(e.item.question)}\n   내 답: {e.last_answer} · 정답: {e.item.answer} · "
              f"틀린 횟수 {e.wrong_count}\n   해설: {strip_marks(e.item.explanation)}"
              f"\n   출처: {location(src.source, src.lines, src.page, src.ocr)} {src.heading}")


def run_wrong(args: argparse.Namespace) -> int:
    fmt = export_format(args.format, args.out)
    app, user = open_learner(args)
    notes = app.wrong(user)
    if fmt:
        app.export_wrong(user, None, fmt, Path(args.out))
        err(f"오답 {len(notes.items)}개를 {args.out} 에 저장했습니다 ({fmt}).")
    if args.json:
        print(json.dumps(notes.to_dict(), ensure_ascii=False), flush=True)
    elif not fmt:
        _print_wrong(notes)
    return 0


def _print_progress(p: Progress) -> None:
    acc = f"{p.correct / p.attempts:.0%}" if p.attempts else "-"
    print(f"👤 {p.user} · 답 {p.attempts}개 (정답률 {acc}) · 연속 학습 {p.streak_days}일 · 지금 복습 {p.due_now}개")
    for s in p.sections:
        acc = f"{s.accuracy:.0%}" if s.accuracy is not None else "-"
        print(f"  {s.mastery:5.0%} 숙달 · 본 문제 {s.seen:3d} · 답 {s.attempts:3d} · 정답률 {acc:>4} · "
              f"복습 {s.due:2d}  {s.section}")
    if p.exam is not None:
        print(f"시험일 {p.exam.date}: 예상 기억률 {p.exam.overall:.0%}")
        for section, retention in p.exam.predicted_retention:
            print(f"  {retention:5.0%}  {section}")


def run_progress(args: argparse.Namespace) -> int:
    app, user = open_learner(args)
    prog = app.progress(user, at=_at(args))
    if args.json:
        print(json.dumps(prog.to_dict(), ensure_ascii=False), flush=True)
    else:
        _print_progress(prog)
    return 0
