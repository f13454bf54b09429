"""`quiz`: practice items as text or JSON, exported as CSV/Anki, or drilled in the terminal."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from retriever import Tokenizer
from tutor.export import export_anki, export_csv, source_label
from tutor.grading import grade
from tutor.labels import OPTION_LETTERS, kind_label
from tutor.quiz import make_quiz, parse_kinds
from tutor.types import QUIZ_KINDS, Quiz, QuizItem

from .common import UsageError, add_common, err, open_services

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
    p.add_argument("--interactive", action="store_true", help="터미널에서 채점하며 풀기")
    p.set_defaults(func=run)


def print_item(i: int, item: QuizItem, file=sys.stdout) -> None:
    print(f"\n[{i}] ({kind_label(item.kind)}) {item.question}", file=file)
    if item.kind == "mcq":
        for j, o in enumerate(item.options):
            print(f"   {OPTION_LETTERS[j]}. {o}", file=file)
    elif item.kind == "ox":
        print("   O / X", file=file)


def drill(quiz: Quiz, tokenizer: Tokenizer) -> int:
    """Ask each item in the terminal and grade the answer at once."""
    items = quiz.items
    if not items:
        print("낼 문제가 없습니다.")
        return 1
    print(f"📝 문제 {len(items)}개 — 답을 입력하세요 (빈 줄: 건너뛰기, q: 끝내기)")
    score = answered = 0
    for i, item in enumerate(items, start=1):
        print_item(i, item)
        if item.kind == "flashcard":
            print("   (답을 떠올린 뒤 입력하세요)")
        try:
            resp = input("> ")
        except EOFError:
            print()
            break
        if resp.strip().lower() in ("q", "quit", "exit", "끝"):
            break
        answered += 1
        g = grade(item, resp, tokenizer)
        score += g.correct
        print(g.feedback, flush=True)
    print(f"\n🏁 최종 점수: {score}/{len(items)} (푼 문제 {answered}개)")
    return 0


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
    services = open_services(args)
    quiz = make_quiz(services.library, n=args.n, topic=args.topic, seed=args.seed, kinds=kinds,
                     llm=services.llm)
    if fmt:
        _export(quiz, fmt, Path(args.out), args.topic)
    if args.interactive:
        if quiz.notice:
            print(f"⚠️  {quiz.notice}")
        return drill(quiz, services.library.tokenizer)
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
