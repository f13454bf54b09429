"""`LearningRecord.optimize`: fit the learner's FSRS parameters from their answers and store
them (a mixin; the record supplies its connection and clock)."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from . import learner
from .items import check_user
from .models import ATTEMPTS
from .optimize import OptimizeResult, Review, optimize

if TYPE_CHECKING:
    from .record import LearningRecord


class OptimizeMethods:
    def optimize(self: "LearningRecord", user: str, at: datetime | None = None) -> OptimizeResult:
        """Fit `user`'s FSRS parameters (py-fsrs's Optimizer, earlier 80 % of their answers),
        keep them only if their log loss on the latest 20 % beats the defaults', and schedule the
        learner with what was kept from now on (cards keep their current due times). Below
        py-fsrs's minimum the defaults stay and the result says how many more reviews are needed.
        The fit runs outside any transaction (it takes seconds); only the result is written."""
        user, now = check_user(user), self._now(at)
        a = ATTEMPTS.c
        with self._read() as conn:
            rows = conn.execute(select(a.item_id, a.at, a.rating).where(a.user_id == user, a.at <= now)
                                .order_by(a.at, a.id)).all()
        result = optimize(user, [Review(r.item_id, r.at, int(r.rating)) for r in rows])
        if result.needed == 0:
            with self._write() as conn:
                learner.save(conn, user, now, fsrs_parameters=list(result.parameters) if result.fitted else None,
                             fsrs_fitted_at=now if result.fitted else None)
        return result
