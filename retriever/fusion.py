"""Hybrid fusion: how one query's keyword and dense candidate scores become one ranking.

A convex mix of z-scored keyword (BM25 + bigram field) and cosine scores over the union of
both sides' top-N candidates, with a query-adaptive keyword weight: `keyword_weight` when the
keyword side's two best chunks tie, rising linearly with the best chunk's lead
(k1 - k2) / k1 up to `max_keyword_weight`. A keyword side with a clear winner (a rare term,
a code identifier, a number only one page holds) decides; a flat keyword side leaves the
order to meaning (issue 12: bench/studies/fusion_study.md).

The range [keyword_weight, max_keyword_weight] is per corpus (issue 21): the index measures
it on itself when it is built (`calibration.py`) and stores it in its manifest; a
`STUDY_KEYWORD_WEIGHT` setting overrides it. `Weights` says which weights a search used.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SOURCES = ("corpus", "default", "setting")  # where a search's fusion weights came from


@dataclass(frozen=True)
class FusionConfig:
    keyword_weight: float = 0.25  # BM25's weight when its two best chunks tie; the rest: dense
    max_keyword_weight: float = 0.95  # the weight a keyword side with a clear winner gets
    adaptive: bool = True  # False: keyword_weight for every query (the pre-issue-12 fusion)
    normalise: str = "z"  # "z" (z-score over the candidates) or "minmax" (pre-issue-12)
    pool: int = 50  # top-N taken from each side before fusing
    # the spacing-free bigram field's share of the keyword side: K/max K + λ·C/max C (0: BM25 only)
    bigram_weight: float = 0.5
    method: str = "convex"  # or "rrf" (kept for the benchmark)
    rrf_k: int = 60
    source: str = "default"  # where keyword_weight/max_keyword_weight came from (SOURCES)

    def weight(self, kw: np.ndarray) -> float:
        """The keyword weight for one query from its candidates' keyword scores."""
        if not self.adaptive or kw.size == 0:
            return self.keyword_weight
        return self.keyword_weight + (self.top - self.keyword_weight) * keyword_lead(kw)

    @property
    def top(self) -> float:
        """The upper end of the adaptive range (never below its lower end)."""
        return max(self.keyword_weight, self.max_keyword_weight)

    def weights(self, kw: np.ndarray | None) -> "Weights":
        """The weights a hybrid search with these candidates' keyword scores uses."""
        if kw is None or not (kw > 0).any():  # no query term in the notes: dense alone decides
            return Weights(0.0, 1.0, self.source, (self.keyword_weight, self.top))
        w = self.weight(kw)
        return Weights(w, 1.0 - w, self.source, (self.keyword_weight, self.top))


@dataclass(frozen=True)
class Weights:
    """The fusion weights one hybrid search used, and where its range came from."""

    keyword: float
    semantic: float
    source: str  # "corpus" (measured on the notes), "default", "setting" (STUDY_KEYWORD_WEIGHT)
    range: tuple[float, float]  # the adaptive rule's keyword weight: flat keyword side .. clear winner

    def to_dict(self) -> dict:
        return {"keyword": round(self.keyword, 4), "semantic": round(self.semantic, 4),
                "source": self.source, "range": [round(x, 4) for x in self.range]}


def keyword_lead(kw: np.ndarray) -> float:
    """(k1 - k2) / k1 over the candidates' keyword scores (1 when only one chunk scores)."""
    top2 = np.sort(kw)[-2:] if kw.size > 1 else np.array([0.0, kw[0]])
    return float((top2[-1] - top2[0]) / top2[-1]) if top2[-1] > 0 else 0.0


def minmax(x: np.ndarray) -> np.ndarray:
    if x.size == 0:
        return x
    lo, hi = float(x.min()), float(x.max())
    if hi - lo < 1e-12:
        return np.ones_like(x) if hi > 0 else np.zeros_like(x)
    return (x - lo) / (hi - lo)


def by_best(x: np.ndarray) -> np.ndarray:
    best = float(x.max()) if x.size else 0.0
    return x / best if best > 0 else x


def zscore(x: np.ndarray) -> np.ndarray:
    sd = float(x.std()) if x.size else 0.0
    return (x - float(x.mean())) / sd if sd > 1e-12 else np.zeros_like(x)


def fuse(kw: np.ndarray, dense: np.ndarray, f: FusionConfig) -> np.ndarray:
    """Convex fusion of one query's candidate scores (keyword `kw`, cosine `dense`)."""
    if not (kw > 0).any():  # no query term in the notes: dense alone decides
        return dense
    norm = zscore if f.normalise == "z" else minmax
    w = f.weight(kw)
    return w * norm(kw) + (1.0 - w) * norm(dense)


def rrf(bm_top: list[int], dense_ids: list[int], cand: np.ndarray, k: int) -> np.ndarray:
    """Reciprocal-rank fusion of the two sides' rankings over `cand` (kept for the benchmark)."""
    rank_kw = {int(i): r for r, i in enumerate(bm_top)}
    rank_de = {int(i): r for r, i in enumerate(dense_ids)}
    return np.array([(1.0 / (k + rank_kw[int(i)] + 1) if int(i) in rank_kw else 0.0)
                     + (1.0 / (k + rank_de[int(i)] + 1) if int(i) in rank_de else 0.0) for i in cand])
