"""Term statistics of an indexed corpus: BM25-style IDF per term."""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Mapping


@dataclass(frozen=True)
class TermStats:
    """IDF of every term over the indexed chunks; unknown terms get the highest weight."""

    idf: Mapping[str, float]
    default: float
    documents: int

    def __call__(self, term: str) -> float:
        return self.idf.get(term, self.default)

    def __contains__(self, term: str) -> bool:
        return term in self.idf

    @classmethod
    def from_documents(cls, docs: Iterable[Iterable[str]]) -> "TermStats":
        df: Counter = Counter()
        n = 0
        for terms in docs:
            df.update(set(terms))
            n += 1
        n = max(1, n)
        idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        return cls(idf, math.log(1 + (n + 0.5) / 0.5), n)
