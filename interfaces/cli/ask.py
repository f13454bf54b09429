"""`ask`: questions answered from the notes, streamed in LLM mode, with their sources."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from retriever import QueryError
from tutor.answer import Tutor
from tutor.labels import location
from tutor.types import Answer

from .common import UsageError, add_common, checked_query, err, open_services, read_queries


def register(sub) -> None:
    p = sub.add_parser("ask", help="노트에 질문하기 (ask the notes)")
    add_common(p)
    p.add_argument("question", nargs="?", help="질문")
    p.add_argument("--questions", type=Path, help="한 줄에 하나씩 질문이 든 파일")
    p.set_defaults(func=run)


def _print_answer(tutor: Tutor, text: str) -> None:
    print(f"❓ {text}", flush=True)
    final: Answer | None = None
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
            print(f"  [{h.rank}] {location(h.source, h.lines, h.page)}  {h.heading}")
    print(flush=True)


def run(args: argparse.Namespace) -> int:
    if args.question is not None and args.questions is not None:
        raise UsageError("질문과 --questions FILE 중 하나만 주세요.")
    questions = read_queries(args.question, args.questions)
    tutor = open_services(args, need_dense=False).tutor
    status = 0
    for q in questions:
        try:
            text = checked_query(q)
        except QueryError as exc:
            err(f"오류: {exc}")
            status = 2
            continue
        if args.json:
            print(json.dumps(tutor.ask(text).to_dict(), ensure_ascii=False), flush=True)
        else:
            _print_answer(tutor, text)
    return status
