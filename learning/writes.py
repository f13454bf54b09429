"""Write helpers shared by the record: portable insert-or-ignore / upsert, card updates, `show`."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from fsrs import Rating, State
from sqlalchemy import Connection, Table, select, update
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
    """Insert snapshots and this user's cards for the items shown; returns cards created.

    A few statements per call, not three per item (a quiz's showing is on the path of every
    /quiz): the snapshots and cards that exist are read once, the new ones inserted together
    (insert-or-ignore, so a racing writer changes nothing), and only snapshots whose source
    moved or that were stale are updated — in item-id order, one lock order for every writer."""
    latest: dict[str, ItemContext] = {}
    for ctx in ctxs:
        check_context(ctx)
        latest[ctx.item.id.strip()] = ctx
    if not latest:
        return 0
    ids = sorted(latest)
    values = {i: item_values(latest[i]) for i in ids}
    cols = [ITEMS.c[k] for k in (*LOCATION, "page", "stale")]
    have = {r.id: r for r in conn.execute(select(ITEMS.c.id, ITEMS.c.retired, *cols).where(ITEMS.c.id.in_(ids)))}
    new_items = [{**values[i], "stale": False, "stale_since": None, "created_at": now} for i in ids if i not in have]
    insert_many(conn, ITEMS, new_items, ["id"])
    for i in ids:
        row = have.get(i)
        if row is not None and (row.stale or any(getattr(row, k) != values[i][k] for k in (*LOCATION, "page"))):
            conn.execute(update(ITEMS).where(ITEMS.c.id == i)
                         .values(**{k: values[i][k] for k in (*LOCATION, "page")}, stale=False, stale_since=None))
    owned = set(conn.execute(select(CARDS.c.item_id).where(CARDS.c.user_id == user, CARDS.c.item_id.in_(ids)))
                .scalars())
    new = FSRS.new_state(now)
    cards = [{"user_id": user, "item_id": i, "state": new.state, "step": new.step, "stability": None,
              "difficulty": None, "due": now, "last_review": None, "reps": 0, "lapses": 0, "shown_at": now}
             for i in ids if i not in owned and not (i in have and have[i].retired)]  # retired: no card
    return insert_many(conn, CARDS, cards, ["user_id", "item_id"])


def insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]], keys: Sequence[str]) -> int:
    """INSERT the rows, skipping any whose `keys` exist; how many rows were meant to be new
    (the caller read them as missing; a racing writer that inserted one first is not counted
    apart)."""
    if not rows:
        return 0
    ins = _DIALECT_INSERT.get(conn.dialect.name)
    if ins is None:
        return sum(insert_ignore(conn, table, r, keys) for r in rows)
    conn.execute(ins(table).on_conflict_do_nothing(index_elements=list(keys)), rows)
    return len(rows)
