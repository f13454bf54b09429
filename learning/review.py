"""The review queue (due → weak → new) and the 오답 노트 (items last answered wrong)."""
from __future__ import annotations

from datetime import datetime, tzinfo

from sqlalchemy import Connection, case, func, select

from .cards import CardRow, load_cards, mean_retrievability, natural_key
from .items import ITEM_COLUMNS, row_to_item
from .models import ATTEMPTS, CARDS, ITEMS
from .results import ReviewEntry, WrongEntry
from .scheduler import FSRS


def _items_by_id(conn: Connection, ids: list[str]) -> dict[str, object]:
    out = {}
    for k in range(0, len(ids), 500):
        rows = conn.execute(select(*ITEM_COLUMNS, ITEMS.c.section).where(ITEMS.c.id.in_(ids[k:k + 500])))
        out.update({r.id: (row_to_item(r._mapping), r.section) for r in rows})
    return out


def _due_entries(conn: Connection, user: str, n: int, at: datetime, tz: tzinfo) -> list[ReviewEntry]:
    c = CARDS.c
    q = (select(*ITEM_COLUMNS, ITEMS.c.section, c.due).join_from(CARDS, ITEMS, c.item_id == ITEMS.c.id)
         .where(c.user_id == user, ITEMS.c.stale.is_(False), c.reps > 0, c.due <= at)
         .order_by(c.due, c.id).limit(n))
    return [ReviewEntry(row_to_item(r._mapping), "due", r.due.astimezone(tz), r.section)
            for r in conn.execute(q)]


def _new_cards(cards: list[CardRow], fsrs: FSRS, at: datetime) -> list[tuple[CardRow, str]]:
    """Never-answered live cards, weakest section first; reason "weak" for a studied section
    whose mastery is below the desired retention, else "new"."""
    mastery = mean_retrievability(cards, fsrs, at)
    studied = {c.section for c in cards if c.reps > 0}
    fresh = [c for c in cards if c.live and c.reps == 0]

    def reason(c: CardRow) -> str:
        weak = c.section in studied and mastery.get(c.section, 0.0) < fsrs.desired_retention
        return "weak" if weak else "new"

    def key(c: CardRow) -> tuple:
        return (mastery.get(c.section, 0.0), reason(c) != "weak", natural_key(c.section),
                c.shown_at, c.item_id)

    return [(c, reason(c)) for c in sorted(fresh, key=key)]


def build_queue(conn: Connection, user: str, n: int, at: datetime, tz: tzinfo,
                fsrs: FSRS) -> list[ReviewEntry]:
    entries = _due_entries(conn, user, n, at, tz)
    if len(entries) >= n:
        return entries
    picked = _new_cards(load_cards(conn, user), fsrs, at)[: n - len(entries)]
    items = _items_by_id(conn, [c.item_id for c, _ in picked])
    for card, why in picked:
        item, section = items[card.item_id]
        entries.append(ReviewEntry(item, why, None, section))  # type: ignore[arg-type]
    return entries


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
        q = q.where(ITEMS.c.stale.is_(False))
    return [WrongEntry(row_to_item(r._mapping), r.section, r.given, int(r.wrong_count), int(r.attempts),
                       r.at.astimezone(tz)) for r in conn.execute(q)]
