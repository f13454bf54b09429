"""Items asked one by one in the terminal, each answer graded and recorded (`--interactive`)."""
from __future__ import annotations

import sys
from typing import Sequence

from studyapp import OPTION_LETTERS, Graded, QuizItem, StudyApp, kind_label


def print_item(i: int, item: QuizItem, file=sys.stdout) -> None:
    print(f"\n[{i}] ({kind_label(item.kind)}) {item.question}", file=file)
    if item.kind == "mcq":
        for j, o in enumerate(item.options):
            print(f"   {OPTION_LETTERS[j]}. {o}", file=file)
    elif item.kind == "ox":
        print("   O / X", file=file)


def print_graded(g: Graded) -> None:
    print(g.grade.feedback)
    due = g.record.due.strftime("%Y-%m-%d %H:%M") if g.record.due else "다시 출제하지 않음 (노트가 바뀜)"
    print(f"평가: {g.record.rating} · 다음 복습: {due}", flush=True)


def drill(app: StudyApp, user: str, items: Sequence[QuizItem]) -> tuple[int, int]:
    """Ask each item and record each answer (an empty line skips, q ends); (right, answered)."""
    right = answered = 0
    for i, item in enumerate(items, start=1):
        print_item(i, item)
        try:
            resp = input("> ")
        except EOFError:
            print()
            break
        if resp.strip().lower() in ("q", "quit", "exit", "끝"):
            break
        if not resp.strip():
            continue  # skipped: nothing recorded
        g = app.grade(user, item.id, resp)
        answered += 1
        right += g.record.correct
        print_graded(g)
    return right, answered
