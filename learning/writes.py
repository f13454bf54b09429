"""Write helpers shared by the record: portable insert-or-ignore / upsert, card updates, `show`."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from fsrs import Rating, State
from sqlalchemy import Connection, Table, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from .items import ItemContext, check_context, item_values
from .models import CARDS, ITEMS
from .scheduler import FSRS, CardState

_DIALECT_INSERT = {"sqlite": sqlite_insert, "postgresql": pg_insert}


def insert_ignore(conn: Connection, table: Table, values: dict[str, Any], keys: Sequence[str]) -> bool:
    """INSERT unless a row with the same `keys` exists; True when a row was inserted."""
    ins = _DIALECT_INSERT.get(conn.dialect.name)
    if ins is not None:
        stmt = ins(table).values(**values).on_conflict_do_nothing(index_elements=list(keys))
        return conn.execute(stmt.execution_options(preserve_rowcount=True)).rowcount == 1
    try:  # other databases: a savepoint keeps the outer transaction usable
        with conn.begin_nested():
            conn.execute(table.insert().values(**values))
        return True
    except IntegrityError:
        return False


def upsert(conn: Connection, table: Table, values: dict[str, Any], keys: Sequence[str]) -> None:
    ins = _DIALECT_INSERT.get(conn.dialect.name)
    changes = {k: v for k, v in values.items() if k not in keys}
    if ins is not None:
        stmt = ins(table).values(**values)
        conn.execute(stmt.on_conflict_do_update(index_elements=list(keys), set_=changes))
        return
    if not insert_ignore(conn, table, values, keys):
        cond = [table.c[k] == values[k] for k in keys]
        conn.execute(update(table).where(*cond).values(**changes))


def save_card(conn: Connection, card_id: int, before: CardState, after: CardState, rating: Rating) -> None:
    lapse = int(rating == Rating.Again and before.state == int(State.Review))
    c = CARDS.c
    conn.execute(update(CARDS).where(c.id == card_id).values(
        state=after.state, step=after.step, stability=after.stability, difficulty=after.difficulty,
        due=after.due, last_review=after.last_review, reps=c.reps + 1, lapses=c.lapses + lapse))


# where an item comes from: a new showing from changed notes refreshes these
LOCATION = ("source", "heading", "line_start", "line_end", "section", "source_hash")


def record_shown(conn: Connection, user: str, ctxs: list[ItemContext], now: datetime) -> int:
    """Insert snapshots and this user's cards for the items shown; returns cards created."""
    latest: dict[str, ItemContext] = {}
    for ctx in ctxs:
        check_context(ctx)
        latest[ctx.item.id.strip()] = ctx
    created = 0
    new = FSRS.new_state(now)
    for item_id, ctx in sorted(latest.items()):  # one lock order for every writer (no deadlocks)
        values = item_values(ctx)
        insert_ignore(conn, ITEMS, {**values, "stale": False, "stale_since": None, "created_at": now}, ["id"])
        where = [ITEMS.c[k] != values[k] for k in LOCATION]
        where.append(ITEMS.c.page.is_distinct_from(values["page"]))
        conn.execute(update(ITEMS).where(ITEMS.c.id == item_id, or_(ITEMS.c.stale.is_(True), *where))
                     .values(**{k: values[k] for k in (*LOCATION, "page")}, stale=False, stale_since=None))
        if conn.execute(select(ITEMS.c.retired).where(ITEMS.c.id == item_id)).scalar():
            continue  # retired by a teacher: shown again from the notes, it gets no card
        created += insert_ignore(conn, CARDS, {
            "user_id": user, "item_id": item_id, "state": new.state, "step": new.step,
            "stability": None, "difficulty": None, "due": now, "last_review": None, "reps": 0,
            "lapses": 0, "shown_at": now}, ["user_id", "item_id"])
    return created
