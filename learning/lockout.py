"""The login lockout rule, pure: after 5 failed logins for a name within 10 minutes, that name
is refused for 10 minutes. The failures are rows in the database (every app instance reads the
same ones); this module only decides from their times.

Choices: a failure while the name is locked is not recorded (an attacker cannot keep a name
locked for longer than 10 minutes past their fifth try, and the rows stay few); a successful
login clears the name's failures; failures before the end of a lock never count toward the
next one.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable

MAX_FAILURES = 5
WINDOW = timedelta(minutes=10)
LOCK = timedelta(minutes=10)
KEEP = timedelta(days=1)  # failure rows older than this are deleted when the name fails again


def _scan(failures: Iterable[datetime], limit: int, window: timedelta,
          lock: timedelta) -> tuple[datetime | None, list[datetime]]:
    """(end of the latest lock, the failures counting toward the next one), in time order."""
    recent: list[datetime] = []
    end: datetime | None = None
    for t in sorted(failures):
        if end is not None and t < end:
            continue
        recent = [x for x in recent if x > t - window] + [t]
        if len(recent) >= limit:
            end, recent = t + lock, []
    return end, recent


def lock_end(failures: Iterable[datetime], limit: int = MAX_FAILURES, window: timedelta = WINDOW,
             lock: timedelta = LOCK) -> datetime | None:
    """When the latest lock the failures caused ends (None: they never reached the limit).

    Failures are read in time order; `limit` of them within `window` (one more than `window`
    before the last no longer counts) lock the name until the last one + `lock`; failures
    during a lock are ignored and the count starts again after it."""
    return _scan(failures, limit, window, lock)[0]


def locked_until(failures: Iterable[datetime], now: datetime) -> datetime | None:
    """The end of the lock in force at `now`, else None."""
    end = lock_end(failures)
    return end if end is not None and end > now else None


def failures_left(failures: Iterable[datetime], now: datetime) -> int:
    """How many more failures from `now` on lock the name (0 while it is locked)."""
    end, recent = _scan(failures, MAX_FAILURES, WINDOW, LOCK)
    if end is not None and end > now:
        return 0
    return MAX_FAILURES - sum(1 for t in recent if t > now - WINDOW)
