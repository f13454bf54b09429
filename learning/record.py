"""`LearningRecord`: the public API of the learning record (one object per database).

Every method takes the user id explicitly and an optional `at` ("now" for this call; naive
means the record's time zone). Writes are one transaction each; a returned `GradeResult` is
committed (SQLite synchronous=FULL / PostgreSQL commit) before the method returns.
"""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from sqlalchemy import Connection, func, select, update
from sqlalchemy.exc import SQLAlchemyError
from tutor.common.types import QuizItem

from . import migrate
from .attempts import record_one
from .batch import BatchMethods
from .clock import local_tz, local_day, to_utc
from .db import Database, first_line, is_corruption, open_database
from .errors import DatabaseFailure, DatabaseUnavailable, InvalidInput, NotShown, RecordError, UnknownItem
from .items import (ITEM_COLUMNS, ItemContext, check_answer, check_context, check_item_id, check_user,
                    row_to_item, source_hash)
from .learner import check_exam, fsrs_for
from .mastery import horizon
from .models import CARDS, ITEMS, USER_SETTINGS
from .plan_types import StudyPlan
from .progress import compute_progress
from .record_accounts import AccountMethods
from .record_class import ClassMethods
from .record_exam import ExamMethods
from .record_optimize import OptimizeMethods
from .record_plan import PlanMethods
from .rerate import check_attempt_id, next_due, rerate
from .results import GradeResult, Progress, ReviewQueue, StaleReport, WrongNotes
from .review import build_queue, planned_queue, wrong_entries
from .scheduler import FSRS, RATING_NAMES, Schedulers, choose_rating
from .writes import record_shown, upsert

MAX_SECONDS = 24 * 3600
MAX_QUEUE = 500
TextOf = Callable[[str, tuple[int, int]], "str | None"]


class LearningRecord(PlanMethods, ExamMethods, OptimizeMethods, BatchMethods, AccountMethods, ClassMethods):
    """Items shown, answers given and FSRS cards, per user, in one SQL database."""

    def __init__(self, db: Database, tz: tzinfo, default_exam_date: date | None, schedulers: Schedulers) -> None:
        self._db, self.tz, self.default_exam_date = db, tz, default_exam_date
        self._schedulers = schedulers
        self._fsrs = schedulers.default  # learners without settings of their own

    @classmethod
    def open(cls, url: str, *, tz: tzinfo | None = None, default_exam_date: date | None = None,
             desired_retention: float = 0.9, fuzz: bool = True) -> "LearningRecord":
        """Connect, move a broken SQLite file aside, migrate to head. Raises `DatabaseUnavailable`."""
        db = open_database(url)
        try:
            migrate.upgrade(db.engine)
        except RecordError:
            db.dispose()
            raise
        except (SQLAlchemyError, sqlite3.Error) as exc:
            db.dispose()
            raise DatabaseUnavailable(f"학습 기록 스키마를 준비하지 못했습니다 (migration failed): {db.url}: "
                                      f"{first_line(exc)}") from None
        return cls(db, tz or local_tz(), default_exam_date, Schedulers(desired_retention, fuzz))

    # -- lifecycle ------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        return self._db.url

    @property
    def notice(self) -> str | None:
        """One Korean line when a corrupt SQLite file was moved aside at open, else None."""
        return self._db.notice

    @property
    def moved_to(self) -> Path | None:
        return self._db.moved_to

    def close(self) -> None:
        self._db.dispose()

    def __enter__(self) -> "LearningRecord":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._guard(), self._db.engine.connect() as conn:
            yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._guard(), self._db.writer.begin() as conn:
            yield conn

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except (SQLAlchemyError, sqlite3.Error) as exc:
            hint = " — 파일이 손상되었습니다: 다시 열면 옮겨 두고 새로 시작합니다" if is_corruption(exc) else ""
            raise DatabaseFailure(f"학습 기록 데이터베이스 오류 (database error){hint}: {first_line(exc)}") from None

    def _now(self, at: datetime | None) -> datetime:
        return to_utc(at, self.tz)

    def _fsrs_of(self, conn: Connection, user: str) -> FSRS:
        """`user`'s scheduler: their fitted parameters and desired retention, else the record's."""
        return fsrs_for(conn, self._schedulers, user)

    # -- writes ---------------------------------------------------------------------------
    def show(self, user: str, items: Iterable[ItemContext], at: datetime | None = None) -> int:
        """Record items shown to `user` (snapshots + a new FSRS card each); returns how many
        were new to this user. Showing an item again refreshes its source location, section
        and hash and clears a stale mark (the caller vouches it matches the notes now)."""
        user, now = check_user(user), self._now(at)
        ctxs = list(items)
        for ctx in ctxs:
            check_context(ctx)
        with self._write() as conn:
            return record_shown(conn, user, ctxs, now)

    def record_attempt(self, user: str, item_id: str, given: str, correct: bool, *,
                       rating: str | None = None, seconds: float | None = None,
                       at: datetime | None = None) -> GradeResult:
        """Record an answer graded by the caller; schedules the card with FSRS (wrong → again,
        right → good unless `rating` says otherwise). Committed when it returns.
        `at` (the time of the answer, default now) earlier than the item was first shown to `user`
        or than their previous answer to it is refused (`attempts.TooEarly`), nothing written."""
        user, item_id, given = check_user(user), check_item_id(item_id), check_answer(given)
        r = choose_rating(bool(correct), rating)
        seconds = _check_seconds(seconds)
        now = self._now(at)
        with self._write() as conn:
            return record_one(conn, self._fsrs_of(conn, user), self.tz, user, item_id, given, bool(correct), r,
                              seconds, now, explicit=at is not None)

    def rate(self, user: str, attempt_id: int, rating: str) -> GradeResult:
        """Change the rating of `user`'s latest answer to an item (the learner's 다시/어려움/좋음/쉬움
        after seeing the grade) and reschedule the card as if it had been rated so at first.
        `UnknownAttempt` for an id that is not this user's; `InvalidInput` for an older answer."""
        user, attempt_id = check_user(user), check_attempt_id(attempt_id)
        if not isinstance(rating, str) or not rating.strip():
            raise InvalidInput("평가는 again, hard, good, easy 중 하나여야 합니다 (rating): 비어 있음")
        r = choose_rating(True, rating)
        with self._write() as conn:
            att, expected, stale, due = rerate(conn, self._fsrs_of(conn, user), user, attempt_id, r)
        return GradeResult(user, att.item_id, bool(att.correct), expected, RATING_NAMES[int(r)],
                           None if due is None else due.astimezone(self.tz), att.at.astimezone(self.tz),
                           int(att.id), stale)

    def set_exam_date(self, user: str, day: date | None, at: datetime | None = None) -> None:
        """Set (or with None clear) the user's exam date, today or later (`InvalidInput` for a past
        one); it overrides `default_exam_date`."""
        user, now = check_user(user), self._now(at)
        if day is not None and not isinstance(day, date):
            raise InvalidInput(f"시험일이 날짜가 아닙니다 (exam date): {day!r}")
        if day is not None:  # a past exam date is refused with one line (nothing written)
            day = check_exam(day, local_day(now, self.tz))
        with self._write() as conn:
            upsert(conn, USER_SETTINGS, {"user_id": user, "exam_date": day, "updated_at": now}, ["user_id"])

    def mark_stale(self, text_of: TextOf | None = None, *, hash_of: TextOf | None = None,
                   at: datetime | None = None) -> StaleReport:
        """Check every live item against the notes now: `text_of(source, (first, last))` gives
        the current text of those lines (or `hash_of` its `source_hash`), None if gone. Items
        whose text changed or vanished become stale: never scheduled again, history kept."""
        if (text_of is None) == (hash_of is None):
            raise InvalidInput("원문 확인 함수는 text_of 또는 hash_of 중 하나만 주어야 합니다 (pass text_of or hash_of)")
        now = self._now(at)
        with self._read() as conn:
            rows = conn.execute(select(ITEMS.c.id, ITEMS.c.source, ITEMS.c.line_start, ITEMS.c.line_end,
                                       ITEMS.c.source_hash).where(ITEMS.c.stale.is_(False))).all()
        gone = []
        for r in rows:
            if hash_of is not None:
                current = hash_of(r.source, (r.line_start, r.line_end))
            else:
                text = text_of(r.source, (r.line_start, r.line_end))  # type: ignore[misc]
                current = None if text is None else source_hash(text)
            if current != r.source_hash:
                gone.append(r.id)
        with self._write() as conn:
            for k in range(0, len(gone), 500):
                conn.execute(update(ITEMS).where(ITEMS.c.id.in_(gone[k:k + 500]), ITEMS.c.stale.is_(False))
                             .values(stale=True, stale_since=now))
            total = conn.execute(select(func.count()).select_from(ITEMS).where(ITEMS.c.stale.is_(True))).scalar_one()
        return StaleReport(len(rows), tuple(gone), int(total))

    # -- reads ----------------------------------------------------------------------------
    def item(self, user: str, item_id: str) -> QuizItem:
        """The item as shown to `user`; `UnknownItem` / `NotShown` otherwise."""
        user, item_id = check_user(user), check_item_id(item_id)
        with self._read() as conn:
            row = conn.execute(select(*ITEM_COLUMNS, CARDS.c.id.label("card_id"))
                               .outerjoin_from(ITEMS, CARDS, (CARDS.c.item_id == ITEMS.c.id)
                                               & (CARDS.c.user_id == user))
                               .where(ITEMS.c.id == item_id)).first()
        if row is None:
            raise UnknownItem(item_id)
        if row.card_id is None:
            raise NotShown(user, item_id)
        return row_to_item(row._mapping)

    def exam_date(self, user: str) -> date | None:
        """The user's exam date, else the record's default (e.g. `STUDY_EXAM_DATE`)."""
        user = check_user(user)
        with self._read() as conn:
            row = conn.execute(select(USER_SETTINGS.c.exam_date)
                               .where(USER_SETTINGS.c.user_id == user)).first()
        return row.exam_date if row is not None and row.exam_date is not None else self.default_exam_date

    def next_due(self, user: str, at: datetime | None = None) -> datetime | None:
        """When `user`'s next answered card falls due after `at` (None when none is scheduled)."""
        user, now = check_user(user), self._now(at)
        with self._read() as conn:
            when = next_due(conn, user, now)
        return None if when is None else when.astimezone(self.tz)

    def review(self, user: str, n: int = 10, at: datetime | None = None, plan: StudyPlan | None = None) -> ReviewQueue:
        """Up to `n` items: due cards (most overdue first), then never-answered items from the
        weakest sections ("weak" when the section was studied and is below target, else "new").
        With `plan` (this user's `plan(...)`, made today): today's planned reviews and new items."""
        user, now = check_user(user), self._now(at)
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= MAX_QUEUE:
            raise InvalidInput(f"문제 수는 1~{MAX_QUEUE} 사이여야 합니다 (n): {n!r}")
        if plan is not None and (not isinstance(plan, StudyPlan) or plan.user != user):
            raise InvalidInput("이 사용자의 학습 계획이 아닙니다 (plan of another user)")
        day = plan.today if plan is not None and plan.at.date() == local_day(now, self.tz) else None
        when = horizon(now, self.exam_date(user), self.tz)
        with self._read() as conn:
            fsrs = self._fsrs_of(conn, user)
            if day is not None:
                entries = planned_queue(conn, user, n, now, self.tz, fsrs, when, day)
            else:
                entries = build_queue(conn, user, n, now, self.tz, fsrs, when)
        return ReviewQueue(user, now.astimezone(self.tz), tuple(entries))

    def wrong(self, user: str, at: datetime | None = None, include_stale: bool = False) -> WrongNotes:
        """오답 노트: items whose latest answer (up to `at`) was wrong, most recent first."""
        user, now = check_user(user), self._now(at)
        with self._read() as conn:
            return WrongNotes(user, tuple(wrong_entries(conn, user, now, self.tz, include_stale)))

    def progress(self, user: str, at: datetime | None = None, sections: Sequence[str] = ()) -> Progress:
        """Progress per section (`sections`: the notes' section titles, listed in this order
        even when never studied), totals, streak, 14-day calendars and the exam forecast."""
        user, now = check_user(user), self._now(at)
        exam_day = self.exam_date(user)
        with self._read() as conn:
            return compute_progress(conn, user, now, self.tz, self._fsrs_of(conn, user), exam_day, sections)


def _check_seconds(seconds: float | None) -> float | None:
    if seconds is None:
        return None
    try:
        value = float(seconds)
    except (TypeError, ValueError):
        value = -1.0
    if not 0 <= value <= MAX_SECONDS:
        raise InvalidInput(f"걸린 시간은 0~{MAX_SECONDS}초여야 합니다 (seconds): {seconds!r}")
    return value
