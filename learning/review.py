"""The review queue (due → weak → new) and the 오답 노트 (items last answered wrong)."""
from __future__ import annotations

from datetime import datetime, tzinfo

from sqlalchemy import Connection, case, func, select

from .cards import CardRow, load_cards
from .clock import day_start, local_day
from .items import ITEM_COLUMNS, row_to_item
from .mastery import latest_right, section_mastery
from .models import ATTEMPTS, CARDS, ITEMS
from .plan_types import PlanDay
from .progress import attempt_stats
from .results import ReviewEntry, WrongEntry
from .scheduler import FSRS
from .sections import weak_key


def _items_by_id(conn: Connection, ids: list[str]) -> dict[str, object]:
    out = {}
    for k in range(0, len(ids), 500):
        rows = conn.execute(select(*ITEM_COLUMNS, ITEMS.c.section).where(ITEMS.c.id.in_(ids[k:k + 500])))
        out.update({r.id: (row_to_item(r._mapping), r.section) for r in rows})
    return out


def _due_entries(conn: Connection, user: str, n: int, at: datetime, tz: tzinfo) -> list[ReviewEntry]:
    c = CARDS.c
    q = (select(*ITEM_COLUMNS, ITEMS.c.section, c.due).join_from(CARDS, ITEMS, c.item_id == ITEMS.c.id)
         .where(c.user_id == user, ITEMS.c.stale.is_(False), ITEMS.c.retired.is_(False), c.reps > 0, c.due <= at)
         .order_by(c.due, c.id).limit(n))
    return [ReviewEntry(row_to_item(r._mapping), "due", r.due.astimezone(tz), r.section)
            for r in conn.execute(q)]


def _new_cards(cards: list[CardRow], stats: dict[str, tuple[int, int]], latest: dict[str, bool],
               fsrs: FSRS, when: datetime) -> list[tuple[CardRow, str]]:
    """Never-answered live cards, weakest section first (`sections.weak_key` over honest mastery
    at the horizon `when`); reason "weak" for a practised section below the desired retention,
    else "new"."""
    mastery = section_mastery(cards, latest, fsrs, when)
    per_section: dict[str, list[int]] = {}
    for c in cards:
        n, ok = stats.get(c.item_id, (0, 0))
        acc = per_section.setdefault(c.section, [0, 0])
        acc[0], acc[1] = acc[0] + n, acc[1] + ok
    fresh = [c for c in cards if c.live and c.reps == 0]

    def reason(c: CardRow) -> str:
        weak = per_section[c.section][0] > 0 and mastery.get(c.section, 0.0) < fsrs.desired_retention
        return "weak" if weak else "new"

    def key(c: CardRow) -> tuple:
        n, ok = per_section[c.section]
        return (weak_key(c.section, mastery.get(c.section, 0.0), n, ok / n if n else None), c.shown_at, c.item_id)

    return [(c, reason(c)) for c in sorted(fresh, key=key)]


def build_queue(conn: Connection, user: str, n: int, at: datetime, tz: tzinfo, fsrs: FSRS,
                when: datetime) -> list[ReviewEntry]:
    """Due cards (most overdue first), then never-answered items, weakest sections first."""
    entries = _due_entries(conn, user, n, at, tz)
    if len(entries) >= n:
        return entries
    cards = load_cards(conn, user)
    picked = _new_cards(cards, attempt_stats(conn, user, at), latest_right(conn, user, at), fsrs, when)
    picked = picked[: n - len(entries)]
    items = _items_by_id(conn, [c.item_id for c, _ in picked])
    for card, why in picked:
        item, section = items[card.item_id]
        entries.append(ReviewEntry(item, why, None, section))  # type: ignore[arg-type]
    return entries


def planned_queue(conn: Connection, user: str, n: int, at: datetime, tz: tzinfo, fsrs: FSRS,
                  when: datetime, day: PlanDay) -> list[ReviewEntry]:
    """Today's planned items: learning-step repeats and reviews, then new items, leaving out
    what was answered since the plan was made (unless FSRS wants it again now)."""
    cards = {c.item_id: c for c in load_cards(conn, user)}
    today = day_start(local_day(at, tz), tz)
    reviews = []
    for item_id in (*day.repeat_ids, *day.review_ids):
        c = cards.get(item_id)
        if c is not None and c.live and c.reps > 0 and (c.last_review < today or c.due <= at):
            reviews.append(c)
    by_id = {c.item_id: why for c, why in _new_cards(list(cards.values()), attempt_stats(conn, user, at),
                                                     latest_right(conn, user, at), fsrs, when)} if day.new_ids else {}
    new = [cards[i] for i in day.new_ids if i in cards and cards[i].live and cards[i].reps == 0]
    chosen = (sorted(dict.fromkeys(reviews), key=lambda c: (c.due, c.item_id)) + new)[:n]
    items = _items_by_id(conn, [c.item_id for c in chosen])
    out = []
    for c in chosen:
        item, section = items[c.item_id]
        due = c.reps > 0
        out.append(ReviewEntry(item, "due" if due else by_id.get(c.item_id, "new"),  # type: ignore[arg-type]
                               c.due.astimezone(tz) if due else None, section))  # type: ignore[arg-type]
    return out


def wrong_entries(conn: Connection, user: str, at: datetime, tz: tzinfo,
                  include_stale: bool = False) -> list[WrongEntry]:
    a = ATTEMPTS.c
    ranked = select(
        a.item_id, a.given, a.correct, a.at,
        func.row_number().over(partition_by=a.item_id, order_by=(a.at.desc(), a.id.desc())).label("rn"),
        func.sum(case((a.correct, 0), else_=1)).over(partition_by=a.item_id).label("wrong_count"),
        func.count().over(partition_by=a.item_id).label("attempts"),
    ).where(a.user_id == user, a.at <= at).subquery()
    q = (select(*ITEM_COLUMNS, ITEMS.c.section, ranked.c.given, ranked.c.at, ranked.c.wrong_count,
                ranked.c.attempts)
         .join_from(ranked, ITEMS, ranked.c.item_id == ITEMS.c.id)
         .where(ranked.c.rn == 1, ranked.c.correct.is_(False))
         .order_by(ranked.c.at.desc(), ITEMS.c.id))
    if not include_stale:
        q = q.where(ITEMS.c.stale.is_(False), ITEMS.c.retired.is_(False))
    return [WrongEntry(row_to_item(r._mapping), r.section, r.given, int(r.wrong_count), int(r.attempts),
                       r.at.astimezone(tz)) for r in conn.execute(q)]
