"""`ask`: questions answered from the notes, streamed in LLM mode, with their sources.

`--questions FILE` asks each line on its own; `--chat FILE` asks the lines as the turns of one
conversation, so "그럼 쓰면 안 되는 경우는?" is answered about the turn before it.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from studyapp import Answer, QueryError, StudyApp, Turn, location

from .common import LinePrinter, UsageError, add_common, checked_query, err, open_app, plain, read_queries


def register(sub) -> None:
    p = sub.add_parser("ask", help="노트에 질문하기 (ask the notes)")
    add_common(p)
    p.add_argument("question", nargs="?", help="질문")
    p.add_argument("--questions", type=Path, help="한 줄에 하나씩 질문이 든 파일 (질문마다 새 대화)")
    p.add_argument("--chat", type=Path, help="한 줄이 한 차례인 대화 파일 (앞 차례가 다음 차례의 맥락)")
    p.set_defaults(func=run)


def _print_answer(app: StudyApp, text: str, history: list[Turn] | None = None) -> Answer:
    print(f"❓ {text}", flush=True)
    final: Answer | None = None
    llm = app.settings.llm is not None
    stream = LinePrinter()
    for delta, ans in app.ask_stream(text, history):
        if ans is None:
            if llm:  # stream LLM text as it comes, a line at a time without its marks
                stream.feed(delta)
        else:
            final = ans
    assert final is not None
    stream.close()
    if not llm or final.mode == "template":
        if llm:
            print(flush=True)
        print(plain(final.answer))
    if final.notice:
        print(f"\n⚠️  {final.notice}")
    if final.sources:
        print("\n출처:")
        for h in final.sources:
            print(f"  [{h.rank}] {location(h.source, h.lines, h.page, h.ocr)}  {plain(h.heading)}")
    print(flush=True)
    return final


def run(args: argparse.Namespace) -> int:
    given = [x for x in (args.question, args.questions, args.chat) if x is not None]
    if len(given) > 1:
        raise UsageError("질문, --questions FILE, --chat FILE 중 하나만 주세요.")
    chat = args.chat is not None
    questions = read_queries(args.question, args.chat if chat else args.questions)
    app = open_app(args, dense=False)
    with app.ask_ahead(questions[:1]):  # the first question's vector is made while Kiwi loads
        return _answer_all(app, args, questions, chat)


def _answer_all(app: StudyApp, args: argparse.Namespace, questions: list[str], chat: bool) -> int:
    status = 0
    history: list[Turn] = []  # --chat: the turns so far, each the next one's context
    for q in questions:
        try:
            text = checked_query(q)
        except QueryError as exc:
            err(f"오류: {exc}")
            status = 2
            continue
        turns = history if chat else None
        if args.json:
            ans = app.ask(text, turns)
            print(json.dumps(ans.to_dict(), ensure_ascii=False), flush=True)
        else:
            ans = _print_answer(app, text, turns)
        if chat:
            history.append(ans.turn)
    return status
