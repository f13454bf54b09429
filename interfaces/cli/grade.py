"""`grade`: grade and record one answer (`--at`: as of another time), or every line of a JSONL
batch file (`--batch`: paper practice, a class's answer sheet) — each line on its own, a bad
line reported with its number and skipped."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from studyapp import RATINGS, BatchOutcome, parse_at

from .common import UsageError, add_common, add_record_options, err, open_learner
from .drill import print_graded


def register(sub) -> None:
    p = sub.add_parser("grade", help="답 채점하고 기록하기 (grade and record an answer, or a batch file)")
    add_common(p)
    add_record_options(p)
    p.add_argument("item_id", nargs="?", help="문항 id (quiz --json 의 id)")
    p.add_argument("answer", nargs="?", help="내 답")
    p.add_argument("--rating", choices=RATINGS, default=None, help="직접 평가 (기본: 맞으면 good, 틀리면 again)")
    p.add_argument("--at", default=None, help="답한 시각 (ISO 8601, 기본: 지금)")
    p.add_argument("--batch", type=Path, default=None,
                   help='JSONL 파일: 한 줄에 {"item_id", "answer", "at"?, "rating"?} 하나')
    p.set_defaults(func=run)


def read_lines(path: Path) -> list[str]:
    """The lines of a batch file; UsageError when it cannot be read or holds no answer."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"배치 파일을 읽을 수 없습니다 (cannot read {path}): {exc}") from None
    if not any(line.strip() for line in lines):
        raise UsageError(f"배치 파일에 답이 없습니다 (no answers in {path}).")
    return lines


def _print_outcome(o: BatchOutcome) -> None:
    r = o.result
    if r is None:
        return
    due = r.due.strftime("%Y-%m-%d %H:%M") if r.due else "다시 출제하지 않음 (노트가 바뀜)"
    print(f"줄 {o.line}: {'✅ 정답' if r.correct else '❌ 오답'} · {r.item_id} · 평가 {r.rating} · 다음 복습 {due}",
          flush=True)


def run_batch(args: argparse.Namespace) -> int:
    if args.item_id or args.answer or args.rating or args.at:
        raise UsageError("--batch 에는 문항 id·답·--rating·--at 을 함께 줄 수 없습니다: 줄마다 적으세요.")
    lines = read_lines(args.batch)
    app, user = open_learner(args, sync=False)
    outcomes = app.grade_batch(user, lines)
    bad = [o for o in outcomes if o.result is None]
    for o in outcomes:
        if o.result is None:
            err(f"오류: {o.error}")
        if args.json:
            print(json.dumps(o.to_dict(), ensure_ascii=False), flush=True)
        else:
            _print_outcome(o)
    err(f"{len(outcomes) - len(bad)}줄 기록, {len(bad)}줄 건너뜀 ({args.batch})")
    return 2 if bad else 0


def run(args: argparse.Namespace) -> int:
    if args.batch is not None:
        return run_batch(args)
    if args.item_id is None or args.answer is None:
        raise UsageError("문항 id와 답을 주거나 --batch FILE 을 쓰세요 (give ITEM_ID ANSWER or --batch FILE).")
    at = parse_at(args.at) if args.at else None
    app, user = open_learner(args, sync=False)
    graded = app.grade(user, args.item_id, args.answer, rating=args.rating, at=at)
    if args.json:
        print(json.dumps(graded.to_dict(), ensure_ascii=False), flush=True)
    else:
        print_graded(graded)
    return 0
