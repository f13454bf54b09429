"""Seeded choice of quiz items: kinds balanced round-robin, spread over sections (or the
focus sections first), each fact of the notes used at most once while others remain. A
`finish` step (the pool's) readies each chosen draft; one it turns away gives way to the next."""
from __future__ import annotations

import random
from typing import Callable, Sequence

from .candidates import Candidate
from retriever.structure import Section

Finish = Callable[[Candidate], "Candidate | None"]


def select(cands: Sequence[Candidate], n: int, kinds: Sequence[str], focus: Sequence[Section] | None,
           seed: int, finish: Finish | None = None) -> list[Candidate]:
    """Seeded choice of n candidates; with a focus, the best section alone while it can fill n."""
    if focus:
        first = _select(cands, n, kinds, focus[:1], seed, finish)
        if len(first) >= n or len(focus) == 1:
            return first
        taken = {c.key for c in first}
        rest = _select([c for c in cands if c.key not in taken], n - len(first), kinds, focus[1:], seed, finish)
        return first + rest
    return _select(cands, n, kinds, None, seed, finish)


def _select(cands: Sequence[Candidate], n: int, kinds: Sequence[str], focus: Sequence[Section] | None,
            seed: int, finish: Finish | None) -> list[Candidate]:
    rng = random.Random(f"select:{seed}")
    pool = [c for c in cands if c.kind in kinds]
    if focus is not None:  # sections by id: a pool's drafts may hold an earlier generation's objects
        rank = {s.id: i for i, s in enumerate(focus)}
        pool = [c for c in pool if c.section.id in rank]
    order = list(pool)
    rng.shuffle(order)
    if focus is not None:  # the best section's items first, the next sections only to fill up
        order.sort(key=lambda c: rank[c.section.id])
    kind_order = [k for k in kinds]
    rng.shuffle(kind_order)
    chosen: list[Candidate] = []
    used_facts: set[str] = set()
    used: set[str] = set()  # keys taken or turned away by `finish`
    per_section: dict[str, int] = {}
    per_form: dict[tuple[str, str], int] = {}  # items of each form so far: the forms take turns

    def best(kind: str, allow_reuse: bool) -> Candidate | None:
        top, top_key = None, None
        for pos, c in enumerate(order):
            if c.kind != kind or c.key in used or (c.fact in used_facts and not allow_reuse):
                continue
            forms = per_form.get((c.kind, c.form), 0)
            first = rank[c.section.id] if focus is not None else per_section.get(c.section.id, 0)
            key = (first, forms, c.priority, pos)
            if top_key is None or key < top_key:
                top, top_key = c, key
        return top

    def take(kind: str, allow_reuse: bool) -> bool:
        while True:
            c = best(kind, allow_reuse)
            if c is None:
                return False
            used.add(c.key)
            done = finish(c) if finish is not None else c
            if done is not None:
                break
        chosen.append(done)
        used_facts.add(c.fact)
        per_section[c.section.id] = per_section.get(c.section.id, 0) + 1
        per_form[(c.kind, c.form)] = per_form.get((c.kind, c.form), 0) + 1
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
