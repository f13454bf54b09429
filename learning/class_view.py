"""The class as a teacher reads it, from a handful of queries over every learner at once (never
one query per learner): learners × sections mastery, recent activity, the first answer of each
learner to each item for the item analysis, and retiring an item.

Who is a learner: every account with the role `learner` and every user with a card in the
record (a class on `STUDY_AUTH`, or the CLI's `--user`), except teacher accounts.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta, tzinfo
from typing import Sequence

from sqlalchemy import Connection, case, func, select, update

from .cards import CardRow
from .class_results import INACTIVE_DAYS, ClassProgress, ItemAnalysis, ItemRow, LearnerSummary
from .errors import UnknownItem
from .item_stats import item_statistics
from .mastery import horizon, section_mastery
from .models import ACCOUNTS, ATTEMPTS, CARDS, ITEMS, USER_SETTINGS
from .scheduler import Schedulers
from .sections import section_order


def teachers(conn: Connection) -> set[str]:
    return {r[0] for r in conn.execute(select(ACCOUNTS.c.name).where(ACCOUNTS.c.role == "teacher"))}


def learners(conn: Connection) -> list[str]:
    """Learner accounts and users with cards, teachers left out, by name."""
    names = {r[0] for r in conn.execute(select(ACCOUNTS.c.name).where(ACCOUNTS.c.role == "learner"))}
    names |= {r[0] for r in conn.execute(select(CARDS.c.user_id).distinct())}
    return sorted(names - teachers(conn))


def _cards_by_user(conn: Connection) -> dict[str, list[CardRow]]:
    c, i = CARDS.c, ITEMS.c
    q = (select(c.user_id, c.item_id, i.section, i.stale | i.retired, c.reps, c.shown_at, c.stability,
                c.last_review, c.due, c.state, c.step, c.difficulty).join_from(CARDS, ITEMS, c.item_id == i.id))
    out: dict[str, list[CardRow]] = defaultdict(list)
    for user, item_id, section, gone, *rest in conn.execute(q):
        out[user].append(CardRow(item_id, section, bool(gone), *rest))
    return out


def _latest_right(conn: Connection, at: datetime) -> dict[str, dict[str, bool]]:
    """user → item → whether the latest answer up to `at` was right."""
    a = ATTEMPTS.c
    ranked = select(a.user_id, a.item_id, a.correct, func.row_number().over(
        partition_by=(a.user_id, a.item_id), order_by=(a.at.desc(), a.id.desc())).label("rn")
    ).where(a.at <= at).subquery()
    out: dict[str, dict[str, bool]] = defaultdict(dict)
    for user, item_id, ok in conn.execute(select(ranked.c.user_id, ranked.c.item_id, ranked.c.correct)
                                          .where(ranked.c.rn == 1)):
        out[user][item_id] = bool(ok)
    return out


def _activity(conn: Connection, at: datetime) -> dict[str, tuple[int, int, datetime | None]]:
    """user → (answers in the last 7 days, answers ever, latest answer) up to `at`."""
    a = ATTEMPTS.c
    since = at - timedelta(days=INACTIVE_DAYS)
    recent = func.sum(case((a.at > since, 1), else_=0))
    q = select(a.user_id, recent, func.count(), func.max(a.at)).where(a.at <= at).group_by(a.user_id)
    return {u: (int(n7 or 0), int(n), last) for u, n7, n, last in conn.execute(q)}


def class_progress(conn: Connection, schedulers: Schedulers, tz: tzinfo, at: datetime,
                   default_exam: date | None, sections: Sequence[str]) -> ClassProgress:
    """Every learner's mastery per section (at their own horizon, with their own FSRS), their
    answers in the last 7 days and whether they have not studied for 7 days."""
    names = learners(conn)
    cards, latest, activity = _cards_by_user(conn), _latest_right(conn, at), _activity(conn, at)
    u = USER_SETTINGS.c
    settings = {r.user_id: r for r in conn.execute(select(u.user_id, u.exam_date, u.fsrs_parameters,
                                                          u.desired_retention))}
    known = {c.section for rows in cards.values() for c in rows if c.live}
    order = tuple(section_order(known, sections))
    out = []
    for name in names:
        s = settings.get(name)
        fsrs = schedulers.get(s.fsrs_parameters, s.desired_retention) if s else schedulers.default
        exam = s.exam_date if s is not None and s.exam_date is not None else default_exam
        mastery = section_mastery(cards.get(name, []), latest.get(name, {}), fsrs, horizon(at, exam, tz))
        n7, n, last = activity.get(name, (0, 0, None))
        out.append(LearnerSummary(name, tuple(mastery.get(sec, 0.0) for sec in order), n7, n,
                                  None if last is None else last.astimezone(tz), n7 == 0))
    return ClassProgress(at.astimezone(tz), order, tuple(out))


def first_answers(conn: Connection) -> tuple[list[str], list[str], list[bool]]:
    """(users, items, right?) of every learner's first answer to each item (teachers left out)."""
    a = ATTEMPTS.c
    ranked = select(a.user_id, a.item_id, a.correct, func.row_number().over(
        partition_by=(a.user_id, a.item_id), order_by=(a.at, a.id)).label("rn")).subquery()
    staff = teachers(conn)
    users, items, right = [], [], []
    for user, item_id, ok in conn.execute(select(ranked.c.user_id, ranked.c.item_id, ranked.c.correct)
                                          .where(ranked.c.rn == 1)):
        if user not in staff:
            users.append(user)
            items.append(item_id)
            right.append(bool(ok))
    return users, items, right


def item_analysis(conn: Connection, tz: tzinfo, at: datetime, min_answers: int) -> ItemAnalysis:
    """The analysis of every item with at least `min_answers` first answers: flagged items
    first (then the hardest first)."""
    users, items, right = first_answers(conn)
    stats = item_statistics(users, items, right, min_answers)
    info: dict[str, tuple] = {}
    ids = [s.item_id for s in stats]
    i = ITEMS.c
    for k in range(0, len(ids), 500):
        for r in conn.execute(select(i.id, i.kind, i.question, i.section, i.source, i.retired)
                              .where(i.id.in_(ids[k:k + 500]))):
            info[r.id] = (r.kind, r.question, r.section, r.source, bool(r.retired))
    rows = [ItemRow(s.item_id, *info[s.item_id], stat=s) for s in stats if s.item_id in info]
    rows.sort(key=lambda r: (not r.stat.flags, r.stat.facility, r.item_id))
    answered = len(set(items))
    return ItemAnalysis(at.astimezone(tz), min_answers, tuple(rows), answered - len(stats), len(set(users)))


def set_retired(conn: Connection, item_id: str, retired: bool, by: str | None, now: datetime) -> bool:
    """Retire (or restore) an item for everyone; True when it changed. `UnknownItem` if none."""
    i = ITEMS.c
    row = conn.execute(select(i.retired).where(i.id == item_id)).first()
    if row is None:
        raise UnknownItem(item_id)
    if bool(row.retired) == retired:
        return False
    conn.execute(update(ITEMS).where(i.id == item_id).values(
        retired=retired, retired_at=now if retired else None, retired_by=by if retired else None))
    return True


def retired_ids(conn: Connection) -> frozenset[str]:
    return frozenset(r[0] for r in conn.execute(select(ITEMS.c.id).where(ITEMS.c.retired.is_(True))))
