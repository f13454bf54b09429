"""`ask` and `quiz` sub-commands (registered into tutor.cli through EXTRA_COMMANDS)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .cli import EXTRA_COMMANDS, UsageError, _err, checked_query, open_library, read_queries, settings_from
from .types import QUIZ_KINDS


# -- ask ----------------------------------------------------------------------------------------

def cmd_ask(args: argparse.Namespace) -> int:
    from retriever import QueryError

    from .answer import Tutor

    if args.question is not None and args.questions is not None:
        raise UsageError("질문과 --questions FILE 중 하나만 주세요.")
    questions = read_queries(args, args.question, args.questions)
    settings = settings_from(args)
    lib, _ = open_library(settings)
    tutor = Tutor(lib, settings)
    status = 0
    for q in questions:
        try:
            text = checked_query(q)
        except QueryError as exc:
            _err(f"오류: {exc}")
            status = 2
            continue
        if args.json:
            ans = tutor.ask(text)
            print(json.dumps(ans.to_dict(), ensure_ascii=False), flush=True)
            continue
        print(f"❓ {text}", flush=True)
        final = None
        for delta, ans in tutor.ask_stream(text):
            if ans is None:
                if tutor.llm is not None:  # stream LLM tokens as they come
                    print(delta, end="", flush=True)
            else:
                final = ans
        assert final is not None
        if tutor.llm is None or final.mode == "template":
            if tutor.llm is not None:
                print("\n", flush=True)
            print(final.answer)
        else:
            print()
        if final.notice:
            print(f"\n⚠️  {final.notice}")
        if final.sources:
            print("\n출처:")
            for h in final.sources:
                print(f"  [{h.rank}] {h.source}:{h.lines[0]}-{h.lines[1]}  {h.heading}")
        print(flush=True)
    return status


# -- quiz ---------------------------------------------------------------------------------------

def _print_item(i: int, item, file=sys.stdout) -> None:
    kind_ko = {"mcq": "객관식", "ox": "O/X", "short": "단답형", "cloze": "빈칸", "flashcard": "플래시카드"}
    print(f"\n[{i}] ({kind_ko.get(item.kind, item.kind)}) {item.question}", file=file)
    if item.kind == "mcq":
        for j, o in enumerate(item.options):
            print(f"   {'ABCD'[j]}. {o}", file=file)
    elif item.kind == "ox":
        print("   O / X", file=file)


def _interactive(quiz, tokenizer) -> int:
    from .grading import grade

    items = quiz.items
    if not items:
        print("낼 문제가 없습니다.")
        return 1
    print(f"📝 문제 {len(items)}개 — 답을 입력하세요 (빈 줄: 건너뛰기, q: 끝내기)")
    score = answered = 0
    for i, item in enumerate(items, start=1):
        _print_item(i, item)
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


def cmd_quiz(args: argparse.Namespace) -> int:
    from .quiz import make_quiz, parse_kinds

    if args.n < 1:
        raise UsageError("--n 은 1 이상이어야 합니다.")
    try:
        kinds = parse_kinds(args.kinds)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.format and not args.out:
        raise UsageError("--format 에는 --out FILE 이 필요합니다.")
    if args.out and not args.format:
        suffix = Path(args.out).suffix.lower()
        args.format = {".csv": "csv", ".apkg": "anki"}.get(suffix)
        if args.format is None:
            raise UsageError("--out 파일 형식을 알 수 없습니다: --format csv|anki 를 주세요.")
    settings = settings_from(args)
    lib, _ = open_library(settings)
    quiz = make_quiz(lib, n=args.n, topic=args.topic, seed=args.seed, kinds=kinds, settings=settings)
    if args.format:
        from .export import export_anki, export_csv

        out = Path(args.out)
        if args.format == "csv":
            export_csv(quiz.items, out)
        else:
            export_anki(quiz.items, out, deck_name=f"학습 노트 퀴즈{' - ' + args.topic if args.topic else ''}")
        _err(f"{len(quiz.items)}문항을 {out} 에 저장했습니다 ({args.format}).")
    if args.interactive:
        if quiz.notice:
            print(f"⚠️  {quiz.notice}")
        return _interactive(quiz, lib.tokenizer)
    if args.json:
        print(json.dumps(quiz.to_dict(), ensure_ascii=False), flush=True)
    elif not args.format:
        if quiz.notice:
            print(f"⚠️  {quiz.notice}")
        for i, item in enumerate(quiz.items, start=1):
            _print_item(i, item)
            print(f"   정답: {item.answer}")
            print(f"   해설: {item.explanation}")
            print(f"   출처: {item.source.source}:{item.source.lines[0]}-{item.source.lines[1]} {item.source.heading}")
    return 0 if quiz.items else 1


# -- registration -----------------------------------------------------------------------------

def register(sub, common) -> None:
    p = sub.add_parser("ask", help="노트에 질문하기 (ask the notes)")
    common(p)
    p.add_argument("question", nargs="?", help="질문")
    p.add_argument("--questions", type=Path, help="한 줄에 하나씩 질문이 든 파일")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("quiz", help="노트로 연습 문제 만들기 (practice quiz)")
    common(p)
    p.add_argument("--n", type=int, default=10, help="문항 수 (기본 10)")
    p.add_argument("--topic", default=None, help="이 주제의 섹션에서 출제")
    p.add_argument("--seed", type=int, default=0, help="같은 seed → 같은 문제")
    p.add_argument("--kinds", default=None, help=f"쉼표로 구분한 유형: {','.join(QUIZ_KINDS)}")
    p.add_argument("--format", choices=("csv", "anki"), default=None, help="내보내기 형식")
    p.add_argument("--out", default=None, help="내보낼 파일 경로")
    p.add_argument("--interactive", action="store_true", help="터미널에서 채점하며 풀기")
    p.set_defaults(func=cmd_quiz)


if register not in EXTRA_COMMANDS:
    EXTRA_COMMANDS.append(register)
