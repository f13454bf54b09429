"""Ranking metrics over answer units (files or sections), and chunk → unit aggregation.

A search returns chunks; a question is judged on units (see `evalsets.unit_of`): a hit on any
chunk of a unit counts the unit. `aggregate` turns the chunk list into a unit ranking:
"max" ranks a unit by its best chunk (first appearance), "sumN" by the sum of its N best
chunks' scores.
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

CUTOFFS = (1, 5, 10)


def aggregate(hits: Sequence, unit: Callable[[object], str], how: str = "max") -> list[str]:
    """Units in ranked order from chunk hits (sorted best first)."""
    if how == "max":
        seen: dict[str, None] = {}
        for h in hits:
            seen.setdefault(unit(h), None)
        return list(seen)
    if not how.startswith("sum"):
        raise ValueError(f"aggregation {how!r}: max or sumN")
    n = int(how[3:] or 2)
    parts: dict[str, list[float]] = {}
    first: dict[str, int] = {}
    for i, h in enumerate(hits):
        key = unit(h)
        first.setdefault(key, i)
        if len(parts.setdefault(key, [])) < n:
            parts[key].append(float(h.score))
    return sorted(parts, key=lambda u: (-sum(parts[u]), first[u]))


def question_metrics(ranked: Sequence[str], relevant: dict[str, int]) -> dict[str, float]:
    """hit@k, recall@k (k in CUTOFFS), MRR@10 and nDCG@10 of one ranked unit list."""
    out: dict[str, float] = {}
    for k in CUTOFFS:
        found = [u for u in ranked[:k] if u in relevant]
        out[f"hit@{k}"] = 1.0 if found else 0.0
        out[f"recall@{k}"] = len(found) / len(relevant)
    first = next((i for i, u in enumerate(ranked[:10]) if u in relevant), None)
    out["mrr@10"] = 0.0 if first is None else 1.0 / (first + 1)
    dcg = sum((2 ** relevant[u] - 1) / math.log2(i + 2) for i, u in enumerate(ranked[:10]) if u in relevant)
    ideal = sorted(relevant.values(), reverse=True)[:10]
    idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    out["ndcg@10"] = dcg / idcg if idcg else 0.0
    return out


def mean(rows: list[dict[str, float]]) -> dict[str, float]:
    if not rows:
        return {}
    return {k: sum(r[k] for r in rows) / len(rows) for k in rows[0]}


def from_first_ranks(ranks: Sequence[int | None]) -> dict[str, float]:
    """hit@1, hit@5 and MRR over questions given the 0-based rank of each one's first relevant
    result (None: not found)."""
    found = [k for k in ranks if k is not None]
    n = max(1, len(ranks))
    return {"hit@1": sum(k == 0 for k in found) / n, "hit@5": sum(k < 5 for k in found) / n,
            "mrr": sum(1 / (k + 1) for k in found) / n}
