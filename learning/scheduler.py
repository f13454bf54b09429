"""FSRS (the `fsrs` package) behind a small interface: card state in, card state out.

Card state is kept as plain columns (state, step, stability, difficulty, due, last_review),
never pickled. Ratings: a wrong answer is Again and a right one Good unless the caller passes
an explicit rating (again/hard/good/easy).
"""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple, Sequence

from fsrs import Card, Rating, Scheduler, State
from fsrs.scheduler import DEFAULT_PARAMETERS

from .errors import InvalidInput

RATINGS: dict[str, Rating] = {"again": Rating.Again, "hard": Rating.Hard, "good": Rating.Good,
                              "easy": Rating.Easy}
RATING_NAMES: dict[int, str] = {int(v): k for k, v in RATINGS.items()}


class CardState(NamedTuple):
    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None


def choose_rating(correct: bool, rating: str | None) -> Rating:
    """The FSRS rating of an answer: the explicit one, else Good if right and Again if wrong."""
    if rating is None or (isinstance(rating, str) and not rating.strip()):
        return Rating.Good if correct else Rating.Again
    key = str(rating).strip().lower()
    if key not in RATINGS:
        raise InvalidInput(f"평가는 again, hard, good, easy 중 하나여야 합니다 (rating): {str(rating)[:20]!r}")
    return RATINGS[key]


class FSRS:
    """The scheduler of one learner: FSRS-6 parameters (py-fsrs's defaults unless fitted to the
    learner, see `optimize`), desired retention 0.9 and Anki-style fuzz by default."""

    def __init__(self, desired_retention: float = 0.9, fuzz: bool = True,
                 parameters: Sequence[float] | None = None) -> None:
        self._s = Scheduler(parameters=tuple(parameters or DEFAULT_PARAMETERS),
                            desired_retention=desired_retention, enable_fuzzing=fuzz)
        # the forgetting curve of fsrs.Scheduler.get_card_retrievability, for many cards at once
        self._decay = -self._s.parameters[20]
        self._factor = 0.9 ** (1 / self._decay) - 1

    @property
    def desired_retention(self) -> float:
        return self._s.desired_retention

    @property
    def parameters(self) -> tuple[float, ...]:
        return tuple(self._s.parameters)

    @property
    def scheduler(self) -> Scheduler:
        """py-fsrs's own scheduler (for the planner's exact first steps)."""
        return self._s

    @staticmethod
    def new_state(at: datetime) -> CardState:
        """A card never answered: FSRS learning state, due when shown."""
        return CardState(int(State.Learning), 0, None, None, at, None)

    @staticmethod
    def _card(card_id: int, s: CardState) -> Card:
        return Card(card_id=card_id, state=State(s.state), step=s.step, stability=s.stability,
                    difficulty=s.difficulty, due=s.due, last_review=s.last_review)

    def review(self, card_id: int, s: CardState, rating: Rating, at: datetime) -> CardState:
        """The card's state after an answer rated `rating` at `at` (aware UTC)."""
        card, _log = self._s.review_card(self._card(card_id, s), rating, review_datetime=at)
        return CardState(int(card.state), card.step, card.stability, card.difficulty, card.due,
                         card.last_review)

    def retrievability(self, s: CardState, at: datetime) -> float:
        """Predicted probability of recall at `at` (fsrs's own function); 0 if never answered."""
        if s.last_review is None or s.stability is None:
            return 0.0
        return float(self._s.get_card_retrievability(self._card(0, s), current_datetime=at))

    def retrievability_of(self, stability: float | None, last_review: datetime | None, at: datetime) -> float:
        """The same value as `retrievability` without building an `fsrs.Card` (progress reads
        thousands): FSRS-6's curve over whole days elapsed, as in fsrs 6.3."""
        if last_review is None or stability is None:
            return 0.0
        elapsed = max(0, (at - last_review).days)
        return (1 + self._factor * elapsed / stability) ** self._decay


class Schedulers:
    """One `FSRS` per (parameters, desired retention): learners with their own parameters or
    retention get their own scheduler, everyone else shares the record's default."""

    def __init__(self, desired_retention: float = 0.9, fuzz: bool = True) -> None:
        self.default_retention, self.fuzz = desired_retention, fuzz
        self._made: dict[tuple, FSRS] = {}
        self.default = self.get(None, None)

    def get(self, parameters: Sequence[float] | None, retention: float | None) -> FSRS:
        key = (tuple(parameters) if parameters else None, retention or self.default_retention)
        found = self._made.get(key)
        if found is None:
            found = self._made[key] = FSRS(key[1], self.fuzz, key[0])
        return found
