"""모의고사 bound to the notes: N items shared across sections in proportion to each section's
facts (every section at least one when N allows), 문제 시나리오 → 정답 items first wherever a
section has them, recorded as shown with a time limit; the submission graded by the tutor's
grader item by item and recorded as one answer each (FSRS updated), unanswered items wrong.

A submission the page's countdown sends when it reaches zero counts as made at the time limit
(the request arrives a moment later), unless it comes more than `TIMER_GRACE` after it.
"""
from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Callable, Mapping

from learning import ExamResult, ExamSheet, InvalidInput, share_by_section
from retriever import NotesLibrary
from tutor.common.types import Grade, QuizItem
from tutor.quizzes.exam_items import EXAM_KINDS, notes_items

if TYPE_CHECKING:  # the record's side: imported when an exam is made, not with the app
    from learning import ItemContext, LearningRecord

DEFAULT_EXAM_ITEMS = 20
TIMER_GRACE = timedelta(seconds=15)


def check_count(n: object) -> int:
    from learning import MAX_EXAM_ITEMS

    if isinstance(n, bool) or not isinstance(n, (int, float)) or n != int(n) or not 1 <= n <= MAX_EXAM_ITEMS:
        raise InvalidInput(f"모의고사 문제 수는 1~{MAX_EXAM_ITEMS}개여야 합니다 (n): {str(n)[:20]!r}")
    return int(n)


def exam_items(library: NotesLibrary, n: int, seed: int) -> list[QuizItem]:
    """The items of a new 모의고사 (fewer than `n` only when the notes give fewer facts): the
    seed chooses among the notes' items (made once per index generation) and orders them."""
    items = notes_items(library)
    shares = share_by_section(items.facts(EXAM_KINDS), check_count(n))
    return items.exam(shares, seed)


def start(record: LearningRecord, library: NotesLibrary, context: Callable[[QuizItem], ItemContext], user: str,
          n: int = DEFAULT_EXAM_ITEMS, minutes: float | None = None, seed: int | None = None,
          at: datetime | None = None) -> ExamSheet:
    """A new 모의고사 for `user`, its items recorded as shown and its clock started."""
    retired = record.retired_ids()
    chosen = [it for it in exam_items(library, n, int(time.time()) if seed is None else int(seed))
              if it.id not in retired]
    if not chosen:
        raise InvalidInput("노트에서 모의고사 문제를 만들 수 없습니다 (no exam items in the notes)")
    return record.start_exam(user, [context(it) for it in chosen], minutes=minutes, at=at)


def submit(record: LearningRecord, grade: Callable[[QuizItem, str], Grade], user: str, exam_id: str,
           answers: Mapping[str, str], at: datetime | None = None, timed_out: bool = False) -> ExamResult:
    """Grade each answer with the tutor's grader and submit them all (one transaction). An id
    not in the exam, a second submission or another learner's exam is refused, nothing written."""
    if not isinstance(answers, Mapping):
        raise InvalidInput("답안은 {문항 id: 답} 형식이어야 합니다 (answers must be an object)")
    sheet = record.exam_sheet(user, exam_id)
    items = {it.id: it for it in sheet.items}
    from learning import GradedAnswer

    graded = []
    for item_id, given in answers.items():
        if not isinstance(item_id, str) or not isinstance(given, str):
            raise InvalidInput(f"답은 문자열이어야 합니다 (answer must be a string): {str(item_id)[:40]}")
        item = items.get(item_id.strip())
        right = item is not None and bool(given.strip()) and grade(item, given).correct
        graded.append(GradedAnswer(item_id, given, right))
    if timed_out and at is None:
        now = datetime.now(sheet.deadline.tzinfo)
        if sheet.deadline < now <= sheet.deadline + TIMER_GRACE:
            at = sheet.deadline
    return record.submit_exam(user, exam_id, graded, at=at)
