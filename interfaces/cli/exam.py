"""`exam`: a timed 모의고사 across the sections — its items as JSON (answers hidden, recorded as
shown) — and `exam --submit FILE`: the answers graded and recorded, the score per section, the
time used and the missed items with the right answer and source."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from studyapp import DEFAULT_EXAM_ITEMS, MAX_EXAM_ITEMS, ExamResult, ExamSheet, location, parse_at

from .common import UsageError, add_common, add_record_options, err, open_learner
from .drill import print_item


def register(sub) -> None:
    p = sub.add_parser("exam", help="모의고사 보기 / 답안 제출 (a timed mock exam)")
    add_common(p)
    add_record_options(p)
    p.add_argument("--n", type=int, default=None,
                   help=f"문항 수 (기본 {DEFAULT_EXAM_ITEMS}, 최대 {MAX_EXAM_ITEMS})")
    p.add_argument("--minutes", type=float, default=None, help="제한 시간(분) (기본: 문항당 1.5분)")
    p.add_argument("--seed", type=int, default=None, help="같은 seed → 같은 문제")
    p.add_argument("--submit", type=Path, default=None,
                   help='답안 JSON 파일 {"exam_id": "...", "answers": {"문항 id": "답"}} 을 채점하고 기록')
    p.add_argument("--at", default=None, help="시작/제출 시각 (ISO 8601, 기본: 지금)")
    p.set_defaults(func=run)


def read_answers(path: Path) -> tuple[str, dict[str, str]]:
    """(exam id, {item id: answer}) from an answer file; UsageError naming what is wrong."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"답안 파일을 읽을 수 없습니다 (cannot read {path}): {exc}") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"답안 파일이 JSON이 아닙니다 (bad JSON in {path}): {exc.msg}, 줄 {exc.lineno}") from None
    if not isinstance(data, dict) or not isinstance(data.get("exam_id"), str) or not data["exam_id"].strip():
        raise UsageError('답안 파일에 "exam_id" 가 없습니다: {"exam_id": "...", "answers": {"문항 id": "답"}}')
    answers = data.get("answers", {})
    if not isinstance(answers, dict) or not all(isinstance(v, str) for v in answers.values()):
        raise UsageError('"answers" 는 {"문항 id": "답"} 이어야 합니다 (answers must map item ids to strings).')
    return data["exam_id"].strip(), answers


def print_sheet(sheet: ExamSheet) -> None:
    print(f"📝 모의고사 {sheet.exam_id} · {len(sheet.items)}문제 · 제한 {sheet.minutes:g}분 "
          f"(마감 {sheet.deadline.strftime('%Y-%m-%d %H:%M')})")
    for i, item in enumerate(sheet.items, start=1):
        print_item(i, item)
    print(f'\n답안 파일: {{"exam_id": "{sheet.exam_id}", "answers": {{"문항 id": "답", …}}}}'
          "  →  python -m tutor exam --submit FILE   (문항 id: exam --json 의 items[].id)")


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}분 {int(seconds % 60)}초"


def print_result(r: ExamResult) -> None:
    print(f"🏁 점수 {r.score:g}점 ({r.correct}/{r.total}) · 걸린 시간 {_minutes(r.seconds)}")
    for s in r.sections:
        print(f"  {s.correct:3d}/{s.total:<3d} {s.section}")
    for i, m in enumerate(r.missed, start=1):
        src = m.item.source
        given = m.given if m.given is not None else "(답 없음)"
        print(f"\n[{i}] {m.item.question}\n   내 답: {given} · 정답: {m.item.answer}"
              f"\n   출처: {location(src.source, src.lines, src.page, src.ocr)} {src.heading}")


def run_submit(args: argparse.Namespace) -> int:
    if args.n is not None or args.minutes is not None or args.seed is not None:
        raise UsageError("--submit 에는 --n·--minutes·--seed 를 함께 줄 수 없습니다 (they belong to a new exam).")
    exam_id, answers = read_answers(args.submit)
    at = parse_at(args.at) if args.at else None
    app, user = open_learner(args, sync=False)
    result = app.submit_exam(user, exam_id, answers, at=at)
    if result.late:
        err(f"⏰ 제한 시간을 넘겨 제출했습니다: 걸린 시간 {_minutes(result.seconds)} — 늦은 제출로 기록했습니다 (late).")
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False), flush=True)
    else:
        print_result(result)
    return 0


def run(args: argparse.Namespace) -> int:
    if args.submit is not None:
        return run_submit(args)
    n = DEFAULT_EXAM_ITEMS if args.n is None else args.n
    at = parse_at(args.at) if args.at else None
    app, user = open_learner(args)
    sheet = app.start_exam(user, n, minutes=args.minutes, seed=args.seed, at=at)
    if len(sheet.items) < n:
        err(f"노트에서 낼 수 있는 문제가 {len(sheet.items)}개뿐입니다.")
    if args.json:
        print(json.dumps(sheet.to_dict(), ensure_ascii=False), flush=True)
    else:
        print_sheet(sheet)
    return 0
