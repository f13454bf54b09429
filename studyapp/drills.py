"""The learner's side of the app, always for an explicit user: quizzes whose items and answers
go into the learning record, the learner's own rating, the weak-section quiz, today's review
queue, the 오답 노트 (filter, retry, export) and progress with the exam date.

Recording choice: an answer is recorded the moment it is graded, with the default rating
(wrong → again, right → good), so no graded answer is ever lost; when the learner then clicks
다시/어려움/좋음/쉬움, `LearningRecord.rate` re-rates that same attempt (one answer stays one
attempt, and the card is rescheduled as if it had been rated so at first).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Sequence

from learning import (Progress, RecordError, WrongNotes, export_wrong_anki, export_wrong_csv,
                      parse_exam_date)
from retriever import QueryError
from tutor.quiz import make_quiz
from tutor.types import QUIZ_KINDS, Quiz, QuizItem

from .exports import ExportFolder
from .quiz_session import QuizSession
from .study import StudyRecord

REVIEW_SIZE = 20
WEAK_SECTIONS = 3


@dataclass(frozen=True)
class ReviewStart:
    """Today's queue as a session, with how many cards are due now and when the next one is."""

    session: QuizSession
    due_now: int
    next_due: datetime | None
    reasons: tuple[str, ...]  # due / weak / new, per item


def weakest_sections(progress: Progress, k: int = WEAK_SECTIONS) -> list[str]:
    """The `k` sections with the lowest mastery (then lower accuracy, then note order)."""
    ranked = sorted(enumerate(progress.sections),
                    key=lambda p: (p[1].mastery, p[1].accuracy if p[1].accuracy is not None else 0.0, p[0]))
    return [s.section for _, s in ranked[:k]]


class Drills:
    def __init__(self, study: StudyRecord, library, llm=None, exports: ExportFolder | None = None) -> None:
        self.study, self.library, self.llm = study, library, llm
        self.exports = exports or ExportFolder()

    # -- sessions ---------------------------------------------------------------------------
    def _shown(self, user: str, quiz: Quiz, title: str) -> QuizSession:
        """A session over `quiz` once its items are in `user`'s record (else a message)."""
        if not quiz.items:
            why = f" ({quiz.notice})" if quiz.notice else ""
            return QuizSession(message=f"이 주제로 만들 수 있는 문제가 없습니다{why}. 다른 주제를 골라 보세요.")
        try:
            self.study.remember(user, quiz.items)
        except RecordError as exc:
            return QuizSession(message=str(exc))
        return QuizSession.start(quiz, title)

    def quiz(self, user: str, topic: str | None, n: int, kinds: Sequence[str], seed: int | None = None) -> QuizSession:
        kinds = [k for k in kinds if k in QUIZ_KINDS]
        try:
            quiz = make_quiz(self.library, n=max(1, min(int(n), 30)), topic=(topic or "").strip() or None,
                             seed=int(time.time()) if seed is None else seed, kinds=kinds or None, llm=self.llm)
        except QueryError as exc:
            return QuizSession(message=str(exc))
        return self._shown(user, quiz, "퀴즈")

    def weak_quiz(self, user: str, n: int, kinds: Sequence[str], seed: int | None = None) -> QuizSession:
        """`n` items from `user`'s weakest sections (lowest mastery first), shared out evenly."""
        try:
            sections = weakest_sections(self.study.progress(user))
        except RecordError as exc:
            return QuizSession(message=str(exc))
        kinds = [k for k in kinds if k in QUIZ_KINDS] or None
        seed = int(time.time()) if seed is None else seed
        items: dict[str, QuizItem] = {}
        for k, section in enumerate(sections):
            want = -(-(n - len(items)) // (len(sections) - k))  # ceil of what is left per section
            quiz = make_quiz(self.library, n=max(1, want), topic=section, seed=seed + k, kinds=kinds, llm=self.llm)
            for it in quiz.items[:want]:
                items.setdefault(it.id, it)
        notice = "약점 단원: " + " · ".join(sections) if sections else None
        return self._shown(user, Quiz(tuple(items.values())[:n], "template", notice), "약점 퀴즈")

    def review(self, user: str, n: int = REVIEW_SIZE) -> ReviewStart:
        """Today's queue (due first, then weak, then new) as a session."""
        try:
            queue = self.study.review(user, n=n)
            due_now = sum(e.reason == "due" for e in queue.items)
            nxt = None if queue.items else self.study.next_due(user)
        except RecordError as exc:
            return ReviewStart(QuizSession(message=str(exc)), 0, None, ())
        if not queue.items:
            return ReviewStart(QuizSession(), 0, nxt, ())
        quiz = Quiz(tuple(e.item for e in queue.items), "template")
        return ReviewStart(QuizSession.start(quiz, "복습"), due_now, None, tuple(e.reason for e in queue.items))

    def retry(self, user: str, item_ids: Sequence[str] | None = None, section: str | None = None) -> QuizSession:
        """The 오답 노트's items (all of the section, or the given ones) as a session."""
        try:
            entries = self.wrong(user, section).items
        except RecordError as exc:
            return QuizSession(message=str(exc))
        if item_ids is not None:
            entries = tuple(e for e in entries if e.item.id in set(item_ids))
        if not entries:
            return QuizSession(message="다시 풀 오답이 없습니다.")
        return QuizSession.start(Quiz(tuple(e.item for e in entries), "template"), "오답 다시 풀기")

    # -- answers ----------------------------------------------------------------------------
    def submit(self, user: str, s: QuizSession, response: str | None) -> QuizSession:
        """Grade the current item and record the answer for `user` (once per item)."""
        item = s.current
        if item is None or s.current_graded:
            return s
        response = (response or "").strip()
        if not response:
            return s.with_message("답을 입력하거나 보기를 고르세요.")
        try:
            res = self.study.grade(user, item.id, response)
        except RecordError as exc:
            return s.with_message(f"기록하지 못했습니다: {exc}")
        return s.graded(res)

    def rate(self, user: str, s: QuizSession, rating: str) -> QuizSession:
        """The learner's own rating of the current answer (re-rates the same attempt)."""
        res = s.current_result
        if res is None:
            return s
        try:
            return s.rated(self.study.rate(user, res.attempt_id, rating))
        except RecordError as exc:
            return s.with_message(f"평가를 기록하지 못했습니다: {exc}")

    # -- 오답 노트 and progress ----------------------------------------------------------------
    def wrong(self, user: str, section: str | None = None) -> WrongNotes:
        notes = self.study.wrong(user)
        if section:
            notes = WrongNotes(notes.user, tuple(e for e in notes.items if e.section == section))
        return notes

    def export_wrong(self, user: str, section: str | None, fmt: str) -> Path | None:
        """The (filtered) 오답 노트 as CSV or an Anki deck; None when it is empty."""
        notes = self.wrong(user, section)
        if not notes.items:
            return None
        writer = export_wrong_csv if fmt == "csv" else export_wrong_anki
        return self.exports.write_with(lambda path: writer(notes, path), "wrong", ".csv" if fmt == "csv" else ".apkg")

    def excerpt(self, item: QuizItem) -> str | None:
        """The item's source lines as the notes read now (None when they are gone)."""
        return self.study.source_text(item.source.source, item.source.lines)

    def progress(self, user: str) -> Progress:
        return self.study.progress(user)

    def set_exam_date(self, user: str, text: str | None) -> date | None:
        """Set (YYYY-MM-DD) or clear (empty) `user`'s exam date; InvalidInput when malformed."""
        day = parse_exam_date(text)
        self.study.set_exam_date(user, day)
        return day

    def exam_date(self, user: str) -> date | None:
        return self.study.record.exam_date(user)
