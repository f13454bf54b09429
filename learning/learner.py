"""Per-learner settings: exam date, the plan's daily budget and target, desired retention and
FSRS parameters fitted to the learner — read, checked and written (NULL = the default)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Sequence

from sqlalchemy import Connection, select

from .clock import parse_exam_date
from .errors import InvalidInput
from .models import USER_SETTINGS
from .plan_types import DEFAULT_PER_DAY, DEFAULT_TARGET, MAX_PER_DAY
from .scheduler import FSRS, Schedulers
from .writes import upsert

MIN_RETENTION, MAX_RETENTION = 0.7, 0.99
N_PARAMETERS = 21  # FSRS-6


@dataclass(frozen=True)
class LearnerSettings:
    """A learner's settings as they apply (their own, else the record's defaults)."""

    user: str
    exam_date: date | None
    per_day: int
    target: float
    desired_retention: float
    parameters: tuple[float, ...] | None  # fitted to this learner; None = FSRS's defaults
    fitted_at: datetime | None = None

    def to_dict(self) -> dict:
        return {"user": self.user, "exam": None if self.exam_date is None else self.exam_date.isoformat(),
                "per_day": self.per_day, "target": self.target, "desired_retention": self.desired_retention,
                "personal_parameters": self.parameters is not None}


def read(conn: Connection, user: str, default_exam: date | None, default_retention: float) -> LearnerSettings:
    u = USER_SETTINGS.c
    row = conn.execute(select(u.exam_date, u.per_day, u.target, u.desired_retention, u.fsrs_parameters,
                              u.fsrs_fitted_at).where(u.user_id == user)).first()
    if row is None:
        return LearnerSettings(user, default_exam, DEFAULT_PER_DAY, DEFAULT_TARGET, default_retention, None)
    params = tuple(float(x) for x in row.fsrs_parameters) if row.fsrs_parameters else None
    return LearnerSettings(user, row.exam_date if row.exam_date is not None else default_exam,
                           row.per_day or DEFAULT_PER_DAY, row.target or DEFAULT_TARGET,
                           row.desired_retention or default_retention, params, row.fsrs_fitted_at)


def fsrs_for(conn: Connection, schedulers: Schedulers, user: str) -> FSRS:
    """The scheduler of `user`: their fitted parameters and desired retention, if any."""
    u = USER_SETTINGS.c
    row = conn.execute(select(u.fsrs_parameters, u.desired_retention).where(u.user_id == user)).first()
    if row is None:
        return schedulers.default
    return schedulers.get(row.fsrs_parameters, row.desired_retention)


def save(conn: Connection, user: str, now: datetime, **values: Any) -> None:
    """Write only the given columns (the others keep their values)."""
    upsert(conn, USER_SETTINGS, {"user_id": user, **values, "updated_at": now}, ["user_id"])


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def check_per_day(value: object) -> int:
    x = _number(value)
    if x is None or x != int(x) or not 1 <= x <= MAX_PER_DAY:
        raise InvalidInput(f"하루 학습량은 1~{MAX_PER_DAY} 사이의 정수여야 합니다 (per_day): {str(value)[:20]!r}")
    return int(x)


def check_target(value: object) -> float:
    x = _number(value)
    if x is None or not 0.5 < x < 0.99:
        raise InvalidInput(f"목표 기억률은 0.5보다 크고 0.99보다 작아야 합니다 (target): {str(value)[:20]!r}")
    return x


def check_retention(value: object) -> float:
    x = _number(value)
    if x is None or not MIN_RETENTION <= x <= MAX_RETENTION:
        raise InvalidInput(f"목표 유지율은 {MIN_RETENTION}~{MAX_RETENTION} 사이여야 합니다 "
                           f"(desired retention): {str(value)[:20]!r}")
    return x


def check_exam(value: object, today: date) -> date:
    """An exam date (a `date` or YYYY-MM-DD) that is today or later."""
    if isinstance(value, datetime):
        value = value.date()
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidInput("시험일이 없습니다: 시험일(YYYY-MM-DD)을 정하세요 (no exam date)")
    day = value if isinstance(value, date) else parse_exam_date(str(value))
    assert day is not None
    if day < today:
        raise InvalidInput(f"시험일이 이미 지났습니다 (exam date in the past): {day.isoformat()}")
    return day


def check_parameters(values: Sequence[float]) -> list[float]:
    params = [float(x) for x in values]
    if len(params) != N_PARAMETERS or not all(math.isfinite(x) for x in params):
        raise InvalidInput(f"FSRS 매개변수는 {N_PARAMETERS}개의 수여야 합니다 (parameters)")
    return params
