"""Personal FSRS parameters: py-fsrs's `Optimizer` fitted on the earlier 80 % of a learner's
review log, compared with FSRS's defaults by log loss on the latest 20 %, kept only if better.

Pure: reviews in, a result out (the record stores the parameters). torch (through py-fsrs's
optimizer extra) is imported only when a fit actually runs.
"""
from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Sequence

from fsrs import Card, Rating, ReviewLog, Scheduler
from fsrs.scheduler import DEFAULT_PARAMETERS

MIN_REVIEWS = 512  # py-fsrs's own minimum (fsrs.optimizer's mini_batch_size): fewer → its defaults
MAX_SEQ = 64  # py-fsrs fits on the first 64 reviews of each card
HOLDOUT = 0.2
_EPS = 1e-9


@dataclass(frozen=True)
class Review:
    item_id: str
    at: datetime  # aware UTC
    rating: int  # fsrs.Rating


@dataclass(frozen=True)
class OptimizeResult:
    """What `optimize` found; `parameters` are the ones the learner is scheduled with now."""

    user: str
    reviews: int  # answers in the learner's log
    fitted: bool  # personal parameters kept (better than the defaults on the held-back 20 %)
    logloss_default: float | None
    logloss_fitted: float | None  # None when no fit ran
    parameters: tuple[float, ...]
    counted: int = 0  # reviews py-fsrs learns from in the earlier 80 % (a day or more after the last)
    needed: int = 0  # about how many more reviews before a fit can run (0: enough)
    held_out: int = 0  # predictions scored in the latest 20 %
    seconds: float = 0.0

    @property
    def message(self) -> str:
        if self.needed:
            return (f"복습 기록이 부족합니다: 약 {self.needed}번 더 복습하면 개인 매개변수를 맞출 수 있습니다 "
                    f"(need about {self.needed} more reviews; defaults kept)")
        if self.fitted:
            return f"개인 매개변수를 적용했습니다 (log loss {self.logloss_default:.4f} → {self.logloss_fitted:.4f})"
        return "개인 매개변수가 기본값보다 낫지 않아 기본값을 유지합니다 (fitted parameters not better; defaults kept)"

    def to_dict(self, detail: bool = False) -> dict:
        r = (lambda x: None if x is None else round(x, 4))
        d = {"user": self.user, "reviews": self.reviews, "fitted": self.fitted,
             "logloss_default": r(self.logloss_default), "logloss_fitted": r(self.logloss_fitted),
             "parameters": [round(x, 4) for x in self.parameters]}
        if detail:
            d.update(counted=self.counted, needed=self.needed, held_out=self.held_out,
                     seconds=round(self.seconds, 2), message=self.message)
        return d


def _by_card(reviews: Iterable[Review]) -> dict[str, list[Review]]:
    cards: dict[str, list[Review]] = defaultdict(list)
    for r in sorted(reviews, key=lambda r: r.at):
        cards[r.item_id].append(r)
    return cards


def countable(reviews: Iterable[Review]) -> int:
    """Reviews py-fsrs's optimizer learns from: a day or more after the card's previous review,
    within each card's first 64 (its `_num_reviews`)."""
    n = 0
    for seq in _by_card(reviews).values():
        seq = seq[:MAX_SEQ]
        n += sum(1 for a, b in zip(seq, seq[1:]) if (b.at - a.at).days > 0)
    return n


def split(reviews: Sequence[Review]) -> tuple[list[Review], datetime | None]:
    """The earlier 80 % of the log (by time) and the moment the latest 20 % starts."""
    ordered = sorted(reviews, key=lambda r: r.at)
    cut = len(ordered) - math.ceil(len(ordered) * HOLDOUT)
    if cut <= 0 or cut >= len(ordered):
        return ordered, None
    return ordered[:cut], ordered[cut].at


def log_loss(parameters: Sequence[float], reviews: Iterable[Review], since: datetime | None) -> tuple[float | None, int]:
    """Mean binary cross-entropy of FSRS's predicted recall against right/wrong (Again = wrong)
    over the reviews at or after `since` that come a day or more after the card's previous one
    (how py-fsrs scores), each card replayed from its first review. (None, 0) when none."""
    if since is None:
        return None, 0
    sched = Scheduler(parameters=tuple(parameters), enable_fuzzing=False)
    total, n = 0.0, 0
    for k, seq in enumerate(_by_card(reviews).values(), start=1):
        card = Card(card_id=k, due=seq[0].at)
        for r in seq:
            if r.at >= since and card.last_review is not None and (r.at - card.last_review).days > 0:
                p = min(max(float(sched.get_card_retrievability(card, r.at)), _EPS), 1 - _EPS)
                y = 0.0 if r.rating == int(Rating.Again) else 1.0
                total -= y * math.log(p) + (1 - y) * math.log(1 - p)
                n += 1
            card, _ = sched.review_card(card, Rating(r.rating), review_datetime=r.at)
    return (total / n if n else None), n


def fit(reviews: Sequence[Review]) -> list[float]:
    """py-fsrs's Optimizer on `reviews` (needs torch; seconds per thousand reviews)."""
    from fsrs import Optimizer

    ids = {item: k for k, item in enumerate(sorted({r.item_id for r in reviews}), start=1)}
    logs = [ReviewLog(card_id=ids[r.item_id], rating=Rating(r.rating), review_datetime=r.at, review_duration=None)
            for r in reviews]
    return [float(x) for x in Optimizer(logs).compute_optimal_parameters()]


def optimize(user: str, reviews: Sequence[Review]) -> OptimizeResult:
    """Fit on the earlier 80 %, score default and fitted on the latest 20 %, keep the better."""
    started = time.perf_counter()
    train, since = split(reviews)
    counted = countable(train)
    default = tuple(float(x) for x in DEFAULT_PARAMETERS)
    loss_default, held = log_loss(default, reviews, since)
    if counted < MIN_REVIEWS:
        needed = math.ceil((MIN_REVIEWS - counted) / (1 - HOLDOUT))
        return OptimizeResult(user, len(reviews), False, loss_default, None, default, counted, needed, held,
                              seconds=time.perf_counter() - started)
    params = tuple(fit(train))
    loss_fitted, _ = log_loss(params, reviews, since)
    better = loss_default is not None and loss_fitted is not None and loss_fitted < loss_default
    return OptimizeResult(user, len(reviews), better, loss_default, loss_fitted, params if better else default,
                          counted, 0, held, seconds=time.perf_counter() - started)
