"""`quiz`: practice items as text or JSON, exported as CSV/Anki, or drilled in the terminal."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from studyapp import QUIZ_KINDS, QueryError, Quiz

from .common import UsageError, add_common, add_record_options, err, export_format, open_learner
from .drill import drill, print_answer, print_item


def register(sub) -> None:
    p = sub.add_parser("quiz", help="노트로 연습 문제 만들기 (practice quiz)")
    add_common(p)
    p.add_argument("--n", type=int, default=10, help="문항 수 (기본 10, 최대 30)")
    p.add_argument("--topic", default=None, help="이 주제의 섹션에서 출제")
    p.add_argument("--seed", type=int, default=0, help="같은 seed → 같은 문제")
    p.add_argument("--kinds", default=None, help=f"쉼표로 구분한 유형: {','.join(QUIZ_KINDS)}")
    p.add_argument("--format", choices=("csv", "anki"), default=None, help="내보내기 형식")
    p.add_argument("--out", default=None, help="내보낼 파일 경로")
    p.add_argument("--interactive", action="store_true", help="터미널에서 채점하며 풀기 (답은 학습 기록에 남음)")
    p.add_argument("--answers", action="store_true", help="문제마다 바로 아래에 정답 보이기 (기본: 맨 끝에 모아서)")
    add_record_options(p)
    p.set_defaults(func=run)


def _export(app, quiz: Quiz, fmt: str, out: Path, topic: str | None) -> None:
    app.export_quiz(quiz.items, fmt, out, topic)
    err(f"{len(quiz.items)}문항을 {out} 에 저장했습니다 ({fmt}).")


def run(args: argparse.Namespace) -> int:
    if args.n < 1:
        raise UsageError("--n 은 1 이상이어야 합니다.")
    fmt = export_format(args.format, args.out)
    app, user = open_learner(args)
    try:
        quiz = app.quiz(user, args.topic, args.n, args.kinds, args.seed)  # every item shown is recorded
    except QueryError as exc:
        raise UsageError(str(exc)) from None
    if fmt:
        _export(app, quiz, fmt, Path(args.out), args.topic)
    if args.interactive:
        if quiz.notice:
            print(f"⚠️  {quiz.notice}")
        if not quiz.items:
            print("낼 문제가 없습니다.")
            return 1
        print(f"📝 문제 {len(quiz.items)}개 — 답을 입력하세요 (빈 줄: 건너뛰기, q: 끝내기)")
        right, answered = drill(app, user, quiz.items)
        print(f"\n🏁 최종 점수: {right}/{len(quiz.items)} (푼 문제 {answered}개, 학습 기록에 저장됨)")
        return 0
    if args.json:
        print(json.dumps(quiz.to_dict(), ensure_ascii=False), flush=True)
    elif not fmt:
        _print_quiz(quiz, args.answers)
    return 0 if quiz.items else 1


def _print_quiz(quiz: Quiz, inline: bool) -> None:
    """The questions; the answers under each (`inline`) or together after the last question,
    so a learner can test themselves first."""
    if quiz.notice:
        print(f"⚠️  {quiz.notice}")
    for i, item in enumerate(quiz.items, start=1):
        print_item(i, item)
        if inline:
            print_answer(item)
    if not inline and quiz.items:
        print("\n" + "─" * 20 + " 정답 (answers) " + "─" * 20)
        for i, item in enumerate(quiz.items, start=1):
            print(f"\n[{i}]")
            print_answer(item)
