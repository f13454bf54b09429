"""Items asked one by one in the terminal, each answer graded and recorded (`--interactive`)."""
from __future__ import annotations

from typing import Sequence

from studyapp import OPTION_LETTERS, Graded, QuizItem, StudyApp, kind_label, source_label, strip_marks


def print_item(i: int, item: QuizItem, file=None) -> None:  # None: sys.stdout at the call
    print(f"\n[{i}] ({kind_label(item.kind)}) {strip_marks(item.question)}", file=file)
    if item.kind == "mcq":
        for j, o in enumerate(item.options):
            print(f"   {OPTION_LETTERS[j]}. {o}", file=file)
    elif item.kind == "ox":
        print("   O / X", file=file)


def print_answer(item: QuizItem, file=None) -> None:
    """The item's answer, explanation and source (after the question, or in the answer key)."""
    answer = item.answer
    if item.kind == "mcq" and item.answer in item.options:
        answer = f"{OPTION_LETTERS[item.options.index(item.answer)]}. {item.answer}"
    print(f"   정답: {answer}", file=file)
    print(f"   해설: {strip_marks(item.explanation)}", file=file)
    print(f"   출처: {source_label(item)}", file=file)


def print_graded(g: Graded) -> None:
    print(strip_marks(g.grade.feedback))
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
