"""Time handling: everything is stored in UTC; days (streaks, per-day counts) are local days."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone, tzinfo

from .errors import InvalidInput

UTC = timezone.utc


def local_tz() -> tzinfo:
    """The machine's current UTC offset (used when the caller names no time zone)."""
    return datetime.now().astimezone().tzinfo or UTC


def to_utc(when: datetime | None, tz: tzinfo) -> datetime:
    """`when` (naive = in `tz`; None = now) as an aware UTC datetime."""
    if when is None:
        return datetime.now(UTC)
    if not isinstance(when, datetime):
        raise InvalidInput(f"시각이 올바르지 않습니다 (not a datetime): {when!r}")
    if when.tzinfo is None:
        when = when.replace(tzinfo=tz)
    return when.astimezone(UTC)


def parse_at(text: str, tz: tzinfo | None = None) -> datetime:
    """An ISO 8601 date or date-time from the command line (`--at`), as aware UTC.

    A bare date means 09:00 that day; a time without offset is in `tz` (default: local).
    """
    tz = tz or local_tz()
    raw = (text or "").strip()
    try:
        if len(raw) == 10:
            return to_utc(datetime.combine(date.fromisoformat(raw), time(9, 0)), tz)
        return to_utc(datetime.fromisoformat(raw.replace("Z", "+00:00")), tz)
    except ValueError:
        raise InvalidInput(f"시각은 ISO 8601 형식이어야 합니다 (e.g. 2025-06-01T09:00): {raw[:40]!r}") from None


def parse_exam_date(text: str | None) -> date | None:
    """`STUDY_EXAM_DATE` / a settings value: YYYY-MM-DD, or empty for none."""
    raw = (text or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"시험일은 YYYY-MM-DD 형식이어야 합니다 (exam date): {raw[:40]!r}") from None


def local_day(when: datetime, tz: tzinfo) -> date:
    return when.astimezone(tz).date()


def day_start(day: date, tz: tzinfo) -> datetime:
    """Midnight of a local day, as aware UTC."""
    return datetime.combine(day, time(0, 0), tzinfo=tz).astimezone(UTC)


def exam_moment(day: date, tz: tzinfo) -> datetime:
    """When the exam is assumed to start: 09:00 local on its day."""
    return datetime.combine(day, time(9, 0), tzinfo=tz).astimezone(UTC)


def utc_offset_seconds(when: datetime, tz: tzinfo) -> int:
    off = when.astimezone(tz).utcoffset() or timedelta(0)
    return int(off.total_seconds())


def iso(when: datetime | None, tz: tzinfo) -> str | None:
    return None if when is None else when.astimezone(tz).isoformat(timespec="seconds")
