"""`quiz`: practice items as text or JSON, exported as CSV/Anki, or drilled in the terminal."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tutor.export import export_anki, export_csv, source_label
from tutor.labels import OPTION_LETTERS, kind_label
from tutor.quiz import make_quiz, parse_kinds
from tutor.types import QUIZ_KINDS, Quiz, QuizItem

from .common import UsageError, add_common, add_record_options, err, open_study

FORMATS_BY_SUFFIX = {".csv": "csv", ".apkg": "anki"}


def register(sub) -> None:
    p = sub.add_parser("quiz", help="노트로 연습 문제 만들기 (practice quiz)")
    add_common(p)
    p.add_argument("--n", type=int, default=10, help="문항 수 (기본 10)")
    p.add_argument("--topic", default=None, help="이 주제의 섹션에서 출제")
    p.add_argument("--seed", type=int, default=0, help="같은 seed → 같은 문제")
    p.add_argument("--kinds", default=None, help=f"쉼표로 구분한 유형: {','.join(QUIZ_KINDS)}")
    p.add_argument("--format", choices=("csv", "anki"), default=None, help="내보내기 형식")
    p.add_argument("--out", default=None, help="내보낼 파일 경로")
    p.add_argument("--interactive", action="store_true", help="터미널에서 채점하며 풀기 (답은 학습 기록에 남음)")
    add_record_options(p)
    p.set_defaults(func=run)


def print_item(i: int, item: QuizItem, file=sys.stdout) -> None:
    print(f"\n[{i}] ({kind_label(item.kind)}) {item.question}", file=file)
    if item.kind == "mcq":
        for j, o in enumerate(item.options):
            print(f"   {OPTION_LETTERS[j]}. {o}", file=file)
    elif item.kind == "ox":
        print("   O / X", file=file)


def _export_format(args: argparse.Namespace) -> str | None:
    if args.format and not args.out:
        raise UsageError("--format 에는 --out FILE 이 필요합니다.")
    if args.out and not args.format:
        fmt = FORMATS_BY_SUFFIX.get(Path(args.out).suffix.lower())
        if fmt is None:
            raise UsageError("--out 파일 형식을 알 수 없습니다: --format csv|anki 를 주세요.")
        return fmt
    return args.format


def _export(quiz: Quiz, fmt: str, out: Path, topic: str | None) -> None:
    if fmt == "csv":
        export_csv(quiz.items, out)
    else:
        export_anki(quiz.items, out, deck_name=f"학습 노트 퀴즈{' - ' + topic if topic else ''}")
    err(f"{len(quiz.items)}문항을 {out} 에 저장했습니다 ({fmt}).")


def run(args: argparse.Namespace) -> int:
    if args.n < 1:
        raise UsageError("--n 은 1 이상이어야 합니다.")
    try:
        kinds = parse_kinds(args.kinds)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    fmt = _export_format(args)
    services, user = open_study(args)
    quiz = make_quiz(services.library, n=args.n, topic=args.topic, seed=args.seed, kinds=kinds,
                     llm=services.llm)
    services.study.remember(user, quiz.items)  # every item shown is in the record
    if fmt:
        _export(quiz, fmt, Path(args.out), args.topic)
    if args.interactive:
        from .study import drill_recorded

        if quiz.notice:
            print(f"⚠️  {quiz.notice}")
        if not quiz.items:
            print("낼 문제가 없습니다.")
            return 1
        print(f"📝 문제 {len(quiz.items)}개 — 답을 입력하세요 (빈 줄: 건너뛰기, q: 끝내기)")
        right, answered = drill_recorded(services.study, user, quiz.items)
        print(f"\n🏁 최종 점수: {right}/{len(quiz.items)} (푼 문제 {answered}개, 학습 기록에 저장됨)")
        return 0
    if args.json:
        print(json.dumps(quiz.to_dict(), ensure_ascii=False), flush=True)
    elif not fmt:
        if quiz.notice:
            print(f"⚠️  {quiz.notice}")
        for i, item in enumerate(quiz.items, start=1):
            print_item(i, item)
            print(f"   정답: {item.answer}")
            print(f"   해설: {item.explanation}")
            print(f"   출처: {source_label(item)}")
    return 0 if quiz.items else 1
