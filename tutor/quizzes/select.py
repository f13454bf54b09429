"""Seeded choice of quiz items: kinds balanced round-robin, spread over sections (or the
focus sections first), each fact of the notes used at most once while others remain."""
from __future__ import annotations

import random
from typing import Sequence

from .candidates import Candidate
from retriever.structure import Section


def select(cands: Sequence[Candidate], n: int, kinds: Sequence[str], focus: Sequence[Section] | None,
           seed: int) -> list[Candidate]:
    """Seeded choice of n candidates; with a focus, the best section alone while it can fill n."""
    if focus:
        first = _select(cands, n, kinds, focus[:1], seed)
        if len(first) >= n or len(focus) == 1:
            return first
        taken = {c.question for c in first}
        rest = _select([c for c in cands if c.question not in taken], n - len(first), kinds, focus[1:], seed)
        return first + rest
    return _select(cands, n, kinds, None, seed)


def _select(cands: Sequence[Candidate], n: int, kinds: Sequence[str], focus: Sequence[Section] | None,
            seed: int) -> list[Candidate]:
    rng = random.Random(f"select:{seed}")
    pool = [c for c in cands if c.kind in kinds]
    if focus is not None:
        rank = {id(s): i for i, s in enumerate(focus)}
        pool = [c for c in pool if id(c.section) in rank]
    order = list(pool)
    rng.shuffle(order)
    if focus is not None:  # the best section's items first, the next sections only to fill up
        order.sort(key=lambda c: rank[id(c.section)])
    kind_order = [k for k in kinds]
    rng.shuffle(kind_order)
    chosen: list[Candidate] = []
    used_facts: set[str] = set()
    used_q: set[str] = set()
    per_section: dict[int, int] = {}
    per_form: dict[tuple[str, str], int] = {}  # items of each form so far: the forms take turns

    def take(kind: str, allow_reuse: bool) -> bool:
        best, best_key = None, None
        for pos, c in enumerate(order):
            if c.kind != kind or c.question in used_q or (c.fact in used_facts and not allow_reuse):
                continue
            forms = per_form.get((c.kind, c.form), 0)
            if focus is not None:
                key = (rank[id(c.section)], forms, c.priority, pos)
            else:
                key = (per_section.get(id(c.section), 0), forms, c.priority, pos)
            if best_key is None or key < best_key:
                best, best_key = c, key
        if best is None:
            return False
        chosen.append(best)
        used_q.add(best.question)
        used_facts.add(best.fact)
        per_section[id(best.section)] = per_section.get(id(best.section), 0) + 1
        per_form[(best.kind, best.form)] = per_form.get((best.kind, best.form), 0) + 1
        return True

    for allow_reuse in (False, True):
        active = list(kind_order)
        while len(chosen) < n and active:
            for k in list(active):
                if len(chosen) >= n:
                    break
                if not take(k, allow_reuse):
                    active.remove(k)
        if len(chosen) >= n:
            break
    return chosen
