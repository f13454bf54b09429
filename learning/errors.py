"""Errors of the learning record: one line each, Korean first, safe to print as they are.

Every failure a caller can meet (bad input, a database it cannot reach, a broken file) is a
`RecordError`; the CLI prints `str(exc)` and exits non-zero, the app shows it as a notice.
"""
from __future__ import annotations


class RecordError(Exception):
    """Base class: `str(exc)` is a single Korean-first line."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))  # always one line


class InvalidInput(RecordError):
    """A user id, rating, date, time, count or item that cannot be recorded."""


class InvalidAnswer(InvalidInput):
    """An empty or overlong answer."""


class UnknownItem(RecordError):
    """No item with this id was ever recorded."""

    def __init__(self, item_id: str) -> None:
        super().__init__(f"알 수 없는 문제 ID입니다 (unknown item): {item_id[:100]}")
        self.item_id = item_id


class NotShown(RecordError):
    """The item exists but was never shown to this user."""

    def __init__(self, user: str, item_id: str) -> None:
        super().__init__(f"사용자 '{user}'에게 출제된 적 없는 문제입니다 (never shown): {item_id}")
        self.user, self.item_id = user, item_id


class DatabaseUnavailable(RecordError):
    """The database URL is malformed, its driver is missing, or it cannot be reached."""


class DatabaseFailure(RecordError):
    """A database operation failed after the record was opened (nothing was half-written)."""
