"""A simulated class in a learning record, for the item-analysis figure: learners of varied
ability answer items of varied difficulty (a logistic model, so that discrimination means
something), each learner's answers written in one bulk insert (bench-only, like
`bench.lib.history`)."""
from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

from learning import ItemContext, LearningRecord
from learning.models import ATTEMPTS
from tutor.common.types import QuizItem, SourceRef


def class_items(n: int, sections: int = 8) -> list[ItemContext]:
    out = []
    for k in range(n):
        s = k % sections + 1
        it = QuizItem(f"short-{k:05d}", "short", f"문제 {k}: 무엇인가?", (), f"정답 {k}", f"설명 {k}",
                      SourceRef(f"note{s}.md", f"{s}. 섹션", (k + 1, k + 2)))
        out.append(ItemContext.from_text(it, f"{s}. 섹션 {s}", f"원문 {k}"))
    return out


def fill_class(rec: LearningRecord, learners: int, items: int, answers: int, now: datetime, seed: int = 3) -> None:
    """`answers` answers spread over `learners` learners (each shown a random share of `items`),
    right with probability sigmoid(ability − difficulty)."""
    rng = random.Random(seed)
    ctxs = class_items(items)
    difficulty = [rng.gauss(0, 1.2) for _ in ctxs]
    per_learner = max(1, answers // learners)
    start = now - timedelta(days=20)
    for u in range(learners):
        user = f"learner{u:03d}"
        ability = rng.gauss(0.5, 1.0)
        chosen = rng.sample(range(items), min(items, max(per_learner, 1)))
        rec.show(user, [ctxs[k] for k in chosen], at=start)
        rows = []
        for n, k in enumerate(chosen[:per_learner]):
            p = 1 / (1 + math.exp(-(ability - difficulty[k])))
            ok = rng.random() < p
            rows.append({"user_id": user, "item_id": ctxs[k].item.id, "at": start + timedelta(minutes=n + 1),
                         "given": "정답" if ok else "오답", "correct": ok, "rating": 3 if ok else 1, "seconds": 8.0})
        with rec._db.writer.begin() as conn:  # bench-only bulk write
            conn.execute(ATTEMPTS.insert(), rows)
