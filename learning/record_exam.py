"""`LearningRecord`'s 모의고사 methods (a mixin; the record supplies its connection and clock)."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Iterable, Sequence

from . import exams
from .batch import GradedAnswer
from .errors import InvalidInput
from .exam_results import ExamResult, ExamSheet
from .items import ItemContext, check_answer, check_context, check_item_id, check_user

if TYPE_CHECKING:
    from .record import LearningRecord


class ExamMethods:
    """Start, read and submit a 모의고사 (mixed into `LearningRecord`)."""

    def start_exam(self: "LearningRecord", user: str, items: Sequence[ItemContext], minutes: float | None = None,
                   at: datetime | None = None) -> ExamSheet:
        """A new 모의고사 of `items` in this order (recorded as shown to `user`); `minutes`
        defaults to 1.5 per item. The caller chooses the items (`exam_share.share_by_section`
        tells how many per section)."""
        user, now = check_user(user), self._now(at)
        ctxs = list(items)
        for ctx in ctxs:
            check_context(ctx)
        exams.check_exam_items(ctxs)
        limit = exams.check_minutes(minutes, len(ctxs))
        exam_id = exams.new_exam_id()
        with self._write() as conn:
            exams.insert_exam(conn, user, exam_id, ctxs, limit, now)
        return self.exam_sheet(user, exam_id)

    def exam_sheet(self: "LearningRecord", user: str, exam_id: str) -> ExamSheet:
        """The items of `user`'s exam (with their answers, for the caller's grader)."""
        user = check_user(user)
        with self._read() as conn:
            exam = exams.load_exam(conn, user, exam_id)
            return exams.sheet(exam, exams.exam_rows(conn, exam.id), self.tz)

    def exam_result(self: "LearningRecord", user: str, exam_id: str) -> ExamResult:
        """The report of a submitted exam (`InvalidInput` when it is not submitted yet)."""
        user = check_user(user)
        with self._read() as conn:
            exam = exams.load_exam(conn, user, exam_id)
            if exam.submitted_at is None:
                raise InvalidInput(f"아직 제출하지 않은 모의고사입니다 (not submitted): {exam.id}")
            return exams.result(exam, exams.exam_rows(conn, exam.id), self.tz)

    def submit_exam(self: "LearningRecord", user: str, exam_id: str, answers: Iterable[GradedAnswer],
                    at: datetime | None = None) -> ExamResult:
        """Submit answers graded by the caller: every item becomes an attempt (FSRS updated; no
        answer, or a blank one, counts wrong), all in one transaction. A second submission, an
        unknown exam or an item not in it is refused with one line and nothing written; after the
        time limit the exam is accepted and marked late (`ExamResult.late`, `seconds` used)."""
        user, when = check_user(user), self._now(at)
        graded: dict[str, tuple[str, bool]] = {}
        for a in answers:
            item_id = check_item_id(a.item_id)
            if item_id in graded:
                raise InvalidInput(f"같은 문제의 답이 두 번 있습니다 (duplicate answer): {item_id}")
            given = a.given if isinstance(a.given, str) else ""
            if given.strip():
                check_answer(given)
            graded[item_id] = (given, bool(a.correct))
        with self._write() as conn:
            return exams.submit(conn, self._fsrs_of(conn, user), self.tz, user, exam_id, graded, when,
                                explicit=at is not None)
