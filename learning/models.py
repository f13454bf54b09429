"""The tables of the learning record (SQLAlchemy 2 typed models).

The schema itself is created and changed only by the Alembic revisions in `migrations/`;
these models describe the head revision for queries. Times are stored as naive UTC
(`UTCDateTime` converts at the boundary), so SQLite and PostgreSQL hold the same values.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

USER_LEN = 128
ITEM_ID_LEN = 100
EXAM_ID_LEN = 40


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out; naive UTC in the database.

    On SQLite the text is the one SQLAlchemy's DateTime writes (`YYYY-MM-DD HH:MM:SS.ffffff`,
    so it sorts and compares as text) but is parsed with `datetime.fromisoformat`, several
    times faster than the generic parser when `progress` reads thousands of cards.
    """

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(26))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        if dialect.name == "sqlite":
            return value.strftime("%Y-%m-%d %H:%M:%S.%f")
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=timezone.utc)


class Base(DeclarativeBase):
    pass


class Item(Base):
    """A snapshot of a quiz item as it was shown (LLM items cannot be regenerated)."""

    __tablename__ = "learning_items"

    id: Mapped[str] = mapped_column(String(ITEM_ID_LEN), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    question: Mapped[str] = mapped_column(Text)
    options: Mapped[list] = mapped_column(JSON)
    answer: Mapped[str] = mapped_column(Text)
    explanation: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(1000))
    heading: Mapped[str] = mapped_column(Text)
    line_start: Mapped[int] = mapped_column(Integer)
    line_end: Mapped[int] = mapped_column(Integer)
    page: Mapped[int | None] = mapped_column(Integer, nullable=True)  # revision 0003: PDF page
    section: Mapped[str] = mapped_column(Text)
    source_hash: Mapped[str] = mapped_column(String(64))
    stale: Mapped[bool] = mapped_column(Boolean, default=False)
    stale_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # revision 0007: retired by a teacher — never scheduled again for anyone, answers kept
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    retired_by: Mapped[str | None] = mapped_column(String(USER_LEN), nullable=True)


class Card(Base):
    """One user's FSRS card for one item (created when the item is first shown to them)."""

    __tablename__ = "learning_cards"
    __table_args__ = (
        UniqueConstraint("user_id", "item_id", name="uq_learning_cards_user_item"),
        Index("ix_learning_cards_user_due", "user_id", "due"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(USER_LEN))
    item_id: Mapped[str] = mapped_column(ForeignKey("learning_items.id"))
    state: Mapped[int] = mapped_column(SmallInteger)  # fsrs.State: 1 learning, 2 review, 3 relearning
    step: Mapped[int | None] = mapped_column(Integer)
    stability: Mapped[float | None] = mapped_column(Float)
    difficulty: Mapped[float | None] = mapped_column(Float)
    due: Mapped[datetime] = mapped_column(UTCDateTime)
    last_review: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reps: Mapped[int] = mapped_column(Integer, default=0)
    lapses: Mapped[int] = mapped_column(Integer, default=0)
    shown_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Attempt(Base):
    """One graded answer: kept forever, the review log FSRS can be re-fitted from."""

    __tablename__ = "learning_attempts"
    __table_args__ = (
        Index("ix_learning_attempts_user_at", "user_id", "at"),
        Index("ix_learning_attempts_user_item_at", "user_id", "item_id", "at"),  # revision 0002
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(USER_LEN))
    item_id: Mapped[str] = mapped_column(ForeignKey("learning_items.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    given: Mapped[str] = mapped_column(Text)
    correct: Mapped[bool] = mapped_column(Boolean)
    rating: Mapped[int] = mapped_column(SmallInteger)  # fsrs.Rating: 1 again … 4 easy
    seconds: Mapped[float | None] = mapped_column(Float)


class UserSettings(Base):
    """Per-user settings: the exam date (revision 0002); the plan's daily budget and target, the
    desired retention and FSRS parameters fitted to the learner (revision 0004). NULL = default."""

    __tablename__ = "learning_user_settings"

    user_id: Mapped[str] = mapped_column(String(USER_LEN), primary_key=True)
    exam_date: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    per_day: Mapped[int | None] = mapped_column(Integer, nullable=True)
    target: Mapped[float | None] = mapped_column(Float, nullable=True)
    desired_retention: Mapped[float | None] = mapped_column(Float, nullable=True)
    fsrs_parameters: Mapped[list | None] = mapped_column(JSON, nullable=True)  # 21 floats
    fsrs_fitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class MockExam(Base):
    """A 모의고사 (revision 0005): the items in order, the time limit, and once submitted the
    score and the time used."""

    __tablename__ = "learning_exams"
    __table_args__ = (Index("ix_learning_exams_user_created", "user_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(EXAM_ID_LEN), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(USER_LEN))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    minutes: Mapped[float] = mapped_column(Float)
    total: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    seconds: Mapped[float | None] = mapped_column(Float, nullable=True)  # time used
    correct: Mapped[int | None] = mapped_column(Integer, nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)  # percent
    late: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


class MockExamItem(Base):
    """One item of a 모의고사, in order; after submission the answer and its attempt."""

    __tablename__ = "learning_exam_items"

    exam_id: Mapped[str] = mapped_column(ForeignKey("learning_exams.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("learning_items.id"))
    given: Mapped[str | None] = mapped_column(Text, nullable=True)  # None: not answered
    correct: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("learning_attempts.id"), nullable=True)


class Account(Base):
    """A login of a class (revision 0006): its role and the Argon2id hash of its password (the
    password itself is never stored)."""

    __tablename__ = "learning_users"

    name: Mapped[str] = mapped_column(String(USER_LEN), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))  # learner | teacher
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LoginFailure(Base):
    """One failed login for a name (revision 0006): what the lockout counts, shared by every
    app instance on the database."""

    __tablename__ = "learning_login_failures"
    __table_args__ = (Index("ix_learning_login_failures_name_at", "name", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(USER_LEN))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


ITEMS = Item.__table__
CARDS = Card.__table__
ATTEMPTS = Attempt.__table__
USER_SETTINGS = UserSettings.__table__
EXAMS = MockExam.__table__
EXAM_ITEMS = MockExamItem.__table__
ACCOUNTS = Account.__table__
LOGIN_FAILURES = LoginFailure.__table__
