"""Batch grading: many graded answers recorded in order, each its own transaction; a bad one is
reported with its line number and skipped. Also the check of one JSONL line of a batch file,
`{"item_id", "answer", "at"?, "rating"?, "seconds"?}` (reading the file is the caller's)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Iterable

from .clock import parse_at
from .errors import DatabaseFailure, InvalidInput, NotShown, RecordError, UnknownItem
from .items import check_answer, check_item_id, check_user
from .results import GradeResult
from .scheduler import choose_rating

if TYPE_CHECKING:
    from .record import LearningRecord

KEYS = ("item_id", "answer", "at", "rating", "seconds")
MAX_LINE_CHARS = 20_000


@dataclass(frozen=True)
class BatchLine:
    """One checked line of a batch file (not yet graded)."""

    line: int
    item_id: str
    answer: str
    at: datetime | None = None
    rating: str | None = None
    seconds: float | None = None


@dataclass(frozen=True)
class GradedAnswer:
    """An answer graded by the caller, to be recorded by `record_batch`."""

    item_id: str
    given: str
    correct: bool
    rating: str | None = None
    at: datetime | None = None
    seconds: float | None = None
    line: int = 0


@dataclass(frozen=True)
class BatchOutcome:
    line: int
    result: GradeResult | None
    error: str | None = None  # one Korean-first line, with the line number

    def to_dict(self) -> dict:
        return self.result.to_dict() if self.result is not None else {"line": self.line, "error": self.error}


def _fail(line: int, why: str) -> InvalidInput:
    return InvalidInput(f"줄 {line}: {why}")


def parse_batch_line(text: str, line: int, tz: tzinfo | None = None) -> BatchLine | None:
    """A line of a batch file as a `BatchLine`; None for a blank line; `InvalidInput` naming the
    line for anything else that cannot be graded (bad JSON, unknown keys, bad values)."""
    raw = (text or "").strip()
    if not raw:
        return None
    if len(raw) > MAX_LINE_CHARS:
        raise _fail(line, f"줄이 너무 깁니다 (line too long): {len(raw):,}자")
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise _fail(line, f"JSON으로 읽을 수 없습니다 (bad JSON): {exc.msg}") from None
    if not isinstance(obj, dict):
        raise _fail(line, "JSON 객체여야 합니다 (expected an object)")
    unknown = sorted(set(obj) - set(KEYS))
    if unknown:
        raise _fail(line, f"알 수 없는 키입니다 (unknown keys): {', '.join(map(str, unknown))[:80]}")
    try:
        if not isinstance(obj.get("item_id"), str) or not isinstance(obj.get("answer"), str):
            raise InvalidInput("item_id와 answer는 문자열이어야 합니다 (item_id and answer are required strings)")
        at = obj.get("at")
        if at is not None and not isinstance(at, str):
            raise InvalidInput("at은 ISO 8601 문자열이어야 합니다 (at)")
        rating = obj.get("rating")
        if rating is not None:
            if not isinstance(rating, str):
                raise InvalidInput("rating은 again, hard, good, easy 중 하나여야 합니다 (rating)")
            choose_rating(True, rating)
        seconds = obj.get("seconds")
        if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, (int, float))):
            raise InvalidInput("seconds는 수여야 합니다 (seconds)")
        return BatchLine(line, check_item_id(obj["item_id"]), check_answer(obj["answer"]),
                         parse_at(at, tz) if at is not None else None, rating, seconds)
    except RecordError as exc:
        raise _fail(line, str(exc)) from None


class BatchMethods:
    """`LearningRecord.record_batch` (a mixin: the record supplies `record_attempt`)."""

    def record_batch(self: "LearningRecord", user: str, answers: Iterable[GradedAnswer]) -> tuple[BatchOutcome, ...]:
        """Record graded answers in order, each in its own transaction. An answer that cannot be
        recorded (unknown or never-shown item, bad rating, time earlier than the item was shown
        or than the previous answer …) is reported with its line and skipped; the others are
        recorded. A database failure stops the batch (`DatabaseFailure`): what was recorded stays."""
        user = check_user(user)
        out = []
        for n, a in enumerate(answers, start=1):
            line = a.line or n
            try:
                res = self.record_attempt(user, a.item_id, a.given, a.correct, rating=a.rating,
                                          seconds=a.seconds, at=a.at)
            except DatabaseFailure:
                raise
            except (InvalidInput, UnknownItem, NotShown) as exc:
                out.append(BatchOutcome(line, None, f"줄 {line}: {exc}"))
                continue
            out.append(BatchOutcome(line, res))
        return tuple(out)
