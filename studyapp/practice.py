"""The learner's practice, always for an explicit user: quizzes whose items and answers go into
the learning record, the weak-section quiz, today's review queue and the 오답 노트 retry as
sessions, grading and the learner's own rating.

Recording choice: an answer is recorded the moment it is graded, with the default rating
(wrong → again, right → good), so no graded answer is ever lost; when the learner then clicks
다시/어려움/좋음/쉬움, `LearningRecord.rate` re-rates that same attempt (one answer stays one
attempt, and the card is rescheduled as if it had been rated so at first).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Iterable, Sequence

from learning import PlanDay, Progress, RecordError
from retriever import NotesLibrary, QueryError
from tutor.common.llm import ChatLLM
from tutor.common.types import Quiz, QuizItem
from tutor.quizzes import QuizPools, make_quiz, parse_kinds

from .quiz_session import QuizSession
from .record import NotesRecord

MAX_QUIZ_ITEMS = 30  # one quiz, from any interface
REVIEW_SIZE = 20  # today's review queue, from any interface
WEAK_SECTIONS = 3


@dataclass(frozen=True)
class ReviewStart:
    """Today's queue as a session, with how many cards are due now and when the next one is."""

    session: QuizSession
    due_now: int
    next_due: datetime | None
    reasons: tuple[str, ...]  # due / weak / new, per item
    plan_day: PlanDay | None = None  # today in the learner's 학습 계획, when the session follows it


def quiz_kinds(kinds: Iterable[str] | str | None) -> tuple[str, ...]:
    """The one reading of quiz kinds (a list, or "mcq,ox"; empty means all); QueryError names
    an unknown kind and the known ones."""
    try:
        return parse_kinds(kinds)
    except ValueError as exc:
        raise QueryError(str(exc)) from None


def quiz_count(n: int | float | str) -> int:
    """How many items a quiz may have: 1 to MAX_QUIZ_ITEMS."""
    return max(1, min(int(n), MAX_QUIZ_ITEMS))


def weakest_sections(progress: Progress, k: int = WEAK_SECTIONS) -> list[str]:
    """The `k` weakest sections (`Progress.weakest`: lowest honest mastery; at equal mastery a
    practised section before one never practised, then lower accuracy, then note order)."""
    return progress.weakest(k)


def _pace(seconds: float | None) -> float | None:
    """The seconds an answer took, when they measure answering (an hour away is a break)."""
    from learning.record_plan import MAX_TIMED_SECONDS  # with the record (SQLAlchemy), on a grade

    return seconds if seconds is not None and 0 < seconds <= MAX_TIMED_SECONDS else None


class Practice:
    def __init__(self, record: NotesRecord, library: NotesLibrary, llm: ChatLLM | None = None) -> None:
        self.record, self.library, self.llm = record, library, llm
        self.pools = QuizPools()  # each note's quiz items, kept across index generations

    def warm(self) -> None:
        """Make the live generation's quiz pool now (a first quiz would otherwise wait for it)."""
        self.pools.pool(self.library)

    # -- quizzes ----------------------------------------------------------------------------
    def quiz(self, user: str, topic: str | None, n: int, kinds: Iterable[str] | str | None,
             seed: int | None = None) -> Quiz:
        """A quiz whose items are recorded as shown to `user` (items a teacher retired left out).
        QueryError for bad input."""
        want = quiz_count(n)
        retired = len(self.record.record.retired_ids())  # ask for more so that `want` remain
        quiz = make_quiz(self.library, n=want + min(retired, want), topic=(topic or "").strip() or None,
                         seed=int(time.time()) if seed is None else int(seed), kinds=quiz_kinds(kinds), llm=self.llm,
                         pools=self.pools)
        if retired or len(quiz.items) > want:
            quiz = replace(quiz, items=tuple(self.record.without_retired(quiz.items))[:want])
        self.record.remember(user, quiz.items)
        return quiz

    def quiz_session(self, user: str, topic: str | None, n: int, kinds: Iterable[str] | str | None,
                     seed: int | None = None) -> QuizSession:
        try:
            quiz = self.quiz(user, topic, n, kinds, seed)
        except (QueryError, RecordError) as exc:
            return QuizSession(message=str(exc))
        return self._session(quiz, "퀴즈")

    def weak_session(self, user: str, n: int, kinds: Iterable[str] | str | None,
                     seed: int | None = None) -> QuizSession:
        """`n` items from `user`'s weakest sections (lowest mastery first), shared out evenly."""
        try:
            kinds_t = quiz_kinds(kinds)
            sections = weakest_sections(self.record.progress(user))
        except (QueryError, RecordError) as exc:
            return QuizSession(message=str(exc))
        n = quiz_count(n)
        seed = int(time.time()) if seed is None else seed
        items: dict[str, QuizItem] = {}
        for k, section in enumerate(sections):
            want = -(-(n - len(items)) // (len(sections) - k))  # ceil of what is left per section
            quiz = make_quiz(self.library, n=max(1, want), topic=section, seed=seed + k, kinds=kinds_t, llm=self.llm,
                             pools=self.pools)
            for it in quiz.items[:want]:
                items.setdefault(it.id, it)
        notice = "약점 단원: " + " · ".join(sections) if sections else None
        quiz = Quiz(tuple(self.record.without_retired(items.values()))[:n], "template", notice)
        try:
            self.record.remember(user, quiz.items)
        except RecordError as exc:
            return QuizSession(message=str(exc))
        return self._session(quiz, "약점 퀴즈")

    @staticmethod
    def _session(quiz: Quiz, title: str) -> QuizSession:
        if not quiz.items:
            why = f" ({quiz.notice})" if quiz.notice else ""
            return QuizSession(message=f"이 주제로 만들 수 있는 문제가 없습니다{why}. 다른 주제를 골라 보세요.")
        return QuizSession.start(quiz, title)

    def review_session(self, user: str, n: int | None = None) -> ReviewStart:
        """Today's session: on a day of the learner's 학습 계획 the day's planned reviews and new
        items; otherwise due first, then weak, then new (`n`, default `REVIEW_SIZE`)."""
        try:
            queue, day = self.record.review(user, n, fallback=REVIEW_SIZE)
            due_now = sum(e.reason == "due" for e in queue.items)
            nxt = None if queue.items else self.record.next_due(user)
        except RecordError as exc:
            return ReviewStart(QuizSession(message=str(exc)), 0, None, ())
        if not queue.items:
            return ReviewStart(QuizSession(), 0, nxt, (), day)
        quiz = Quiz(tuple(e.item for e in queue.items), "template")
        title = "오늘의 학습" if day is not None else "복습"
        return ReviewStart(QuizSession.start(quiz, title), due_now, None, tuple(e.reason for e in queue.items), day)

    def retry_session(self, user: str, item_ids: Sequence[str] | None = None,
                      section: str | None = None) -> QuizSession:
        """The 오답 노트's items (all of the section, or the given ones) as a session."""
        try:
            entries = self.record.wrong(user).items
        except RecordError as exc:
            return QuizSession(message=str(exc))
        if section:
            entries = tuple(e for e in entries if e.section == section)
        if item_ids is not None:
            entries = tuple(e for e in entries if e.item.id in set(item_ids))
        if not entries:
            return QuizSession(message="다시 풀 오답이 없습니다.")
        return QuizSession.start(Quiz(tuple(e.item for e in entries), "template"), "오답 다시 풀기")

    # -- answers ----------------------------------------------------------------------------
    def submit(self, user: str, s: QuizSession, response: str | None) -> QuizSession:
        """Grade the session's current item and record the answer for `user` — once per item
        of the session: a second submit of a graded item records nothing."""
        item = s.current
        if item is None or s.current_graded:
            return s
        response = (response or "").strip()
        if not response:
            return s.with_message("답을 입력하거나 보기를 고르세요.")
        try:
            graded = self.record.grade(user, item.id, response, seconds=_pace(s.seconds()))
        except RecordError as exc:
            return s.with_message(f"기록하지 못했습니다: {exc}")
        return s.graded(graded)

    def rate(self, user: str, s: QuizSession, rating: str) -> QuizSession:
        """The learner's own rating of the current answer (re-rates the same attempt)."""
        res = s.current_result
        if res is None:
            return s
        try:
            return s.rated(self.record.rate(user, res.attempt_id, rating))
        except RecordError as exc:
            return s.with_message(f"평가를 기록하지 못했습니다: {exc}")
