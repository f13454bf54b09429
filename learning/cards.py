"""Reading a user's cards (with their item's section and staleness) and section mastery."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Iterable, NamedTuple

from sqlalchemy import Connection, select

from .models import CARDS, ITEMS
from .scheduler import FSRS


class CardRow(NamedTuple):
    """One card as read for a query (a tuple: thousands are built per `progress`)."""

    item_id: str
    section: str
    stale: bool
    reps: int
    shown_at: datetime
    stability: float | None
    last_review: datetime | None
    due: datetime
    state: int = 1  # fsrs.State
    step: int | None = 0
    difficulty: float | None = None

    @property
    def live(self) -> bool:
        return not self.stale

    def is_due(self, at: datetime) -> bool:
        """Answered at least once, not stale, and due by `at` (never-answered cards are new)."""
        return not self.stale and self.reps > 0 and self.due <= at

    def retrievability(self, fsrs: FSRS, at: datetime) -> float:
        return fsrs.retrievability_of(self.stability, self.last_review, at)


def load_cards(conn: Connection, user: str) -> list[CardRow]:
    """All cards of one user, stale ones included (callers decide what to do with them); a
    retired item's card reads as stale: not live, never scheduled, its answers kept."""
    c, i = CARDS.c, ITEMS.c
    q = (select(c.item_id, i.section, i.stale | i.retired, c.reps, c.shown_at, c.stability, c.last_review, c.due,
                c.state, c.step, c.difficulty)
         .join_from(CARDS, ITEMS, c.item_id == i.id).where(c.user_id == user))
    return [CardRow(item_id, section, bool(stale), *rest) for (item_id, section, stale, *rest) in conn.execute(q).all()]


def mean_retrievability(cards: Iterable[CardRow], fsrs: FSRS, at: datetime) -> dict[str, float]:
    """Section → mean FSRS retrievability at `at` over its live cards (never answered = 0)."""
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    for card in cards:
        if card.live:
            acc = sums[card.section]
            acc[0] += card.retrievability(fsrs, at)
            acc[1] += 1
    return {s: total / n for s, (total, n) in sums.items() if n}
