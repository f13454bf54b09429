"""Progress of one user: per top-level section, totals, streak, calendar, exam forecast."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta, tzinfo
from typing import Sequence

from sqlalchemy import BigInteger, Connection, Integer, case, cast, extract, func, select

from .cards import CardRow, load_cards
from .sections import section_order
from .clock import exam_moment, local_day, utc_offset_seconds
from .mastery import horizon, item_mastery, latest_right, section_mastery
from .models import ATTEMPTS
from .results import DayCount, ExamForecast, Progress, SectionProgress
from .scheduler import FSRS

DAYS = 14
_EPOCH = date(1970, 1, 1)


def _epoch_seconds(dialect: str, col):
    """Seconds since 1970 of a naive-UTC timestamp column, computed by the database."""
    if dialect == "sqlite":
        return cast(func.strftime("%s", col), Integer)
    return cast(extract("epoch", col), BigInteger)


def attempt_stats(conn: Connection, user: str, at: datetime) -> dict[str, tuple[int, int]]:
    """item id → (attempts, correct) up to `at`."""
    a = ATTEMPTS.c
    q = (select(a.item_id, func.count(), func.sum(case((a.correct, 1), else_=0)))
         .where(a.user_id == user, a.at <= at).group_by(a.item_id))
    return {r[0]: (int(r[1]), int(r[2] or 0)) for r in conn.execute(q)}


def attempts_by_day(conn: Connection, user: str, at: datetime, tz: tzinfo) -> dict[date, int]:
    """Local day → attempts that day, for every day with an attempt up to `at`."""
    a = ATTEMPTS.c
    offset = utc_offset_seconds(at, tz)
    day = (_epoch_seconds(conn.dialect.name, a.at) + offset) // 86400
    q = select(day, func.count()).where(a.user_id == user, a.at <= at).group_by(day)
    return {_EPOCH + timedelta(days=int(d)): int(n) for d, n in conn.execute(q)}


def streak(days: set[date], today: date) -> int:
    """Consecutive study days ending today (or yesterday: today is not over yet)."""
    start = today if today in days else today - timedelta(days=1)
    n = 0
    while start - timedelta(days=n) in days:
        n += 1
    return n


def _due_calendar(cards: list[CardRow], today: date, tz: tzinfo) -> tuple[DayCount, ...]:
    counts = [0] * DAYS
    for c in cards:
        if c.live and c.reps > 0:
            k = max(0, (local_day(c.due, tz) - today).days)
            if k < DAYS:
                counts[k] += 1
    return tuple(DayCount(today + timedelta(days=k), counts[k]) for k in range(DAYS))


def _section_rows(cards: list[CardRow], stats: dict[str, tuple[int, int]], latest: dict[str, bool],
                  fsrs: FSRS, when: datetime, at: datetime, exam_at: datetime | None,
                  preferred: Sequence[str]) -> list[SectionProgress]:
    mastery = section_mastery(cards, latest, fsrs, when)
    exam = section_mastery(cards, latest, fsrs, exam_at) if exam_at else {}
    agg: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])  # seen attempts correct due cards stale
    for c in cards:
        n, ok = stats.get(c.item_id, (0, 0))
        row = agg[c.section]
        row[0] += n > 0
        row[1] += n
        row[2] += ok
        row[3] += c.is_due(at)
        row[4] += c.live
        row[5] += c.stale
    out = []
    for s in section_order(agg.keys(), preferred):
        seen, n, ok, due, live, stale = agg[s] if s in agg else [0] * 6
        out.append(SectionProgress(s, seen, n, ok, ok / n if n else None, mastery.get(s, 0.0), due,
                                   live, stale, exam.get(s, 0.0) if exam_at else None))
    return out


def compute_progress(conn: Connection, user: str, at: datetime, tz: tzinfo, fsrs: FSRS,
                     exam_day: date | None, sections: Sequence[str] = ()) -> Progress:
    """Progress of `user` at `at`; mastery and the exam forecast are honest (`mastery`)."""
    cards = load_cards(conn, user)
    stats = attempt_stats(conn, user, at)
    latest = latest_right(conn, user, at)
    by_day = attempts_by_day(conn, user, at, tz)
    today = local_day(at, tz)
    exam_at = exam_moment(exam_day, tz) if exam_day else None
    when = horizon(at, exam_day, tz)
    rows = _section_rows(cards, stats, latest, fsrs, when, at, exam_at, sections)
    forecast = None
    if exam_day is not None and exam_at is not None:
        live = [c for c in cards if c.live]
        overall = (sum(item_mastery(c, latest.get(c.item_id), fsrs, exam_at) for c in live) / len(live)
                   if live else 0.0)
        forecast = ExamForecast(exam_day, tuple((r.section, r.exam_retention or 0.0) for r in rows),
                                overall)
    per_day = tuple(DayCount(today - timedelta(days=k), by_day.get(today - timedelta(days=k), 0))
                    for k in range(DAYS - 1, -1, -1))
    return Progress(user=user, at=at.astimezone(tz), attempts=sum(n for n, _ in stats.values()),
                    correct=sum(ok for _, ok in stats.values()), streak_days=streak(set(by_day), today),
                    due_now=sum(r.due for r in rows), sections=tuple(rows), attempts_per_day=per_day,
                    due_per_day=_due_calendar(cards, today, tz), exam=forecast,
                    horizon=local_day(when, tz))
