"""Approximate-nearest-neighbour backends over FAISS (inner product on unit vectors).

`make_ann` picks the backend by corpus size: exact flat search below `HNSW_MIN_VECTORS`,
HNSW from there on. Measured (bench/speed.py scale, 2 cores, 384 dims): a flat top-50 costs
~0.2 ms per 1,000 vectors (20 ms at 100k) while HNSW stays ~1.7 ms, so flat is kept while it
is under ~4 ms, i.e. below 20k vectors, where its exactness costs nothing noticeable. Every backend passes the same shared test (tests/unit/test_ann.py).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

HNSW_MIN_VECTORS = 20_000


class ANN:
    kind = "base"

    def __init__(self, index) -> None:
        self.index = index

    @classmethod
    def build(cls, vectors: np.ndarray) -> "ANN":
        raise NotImplementedError

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, row ids) of the k best rows, best first; ids are -1 where fewer exist."""
        k = max(1, min(k, self.index.ntotal)) if self.index.ntotal else 1
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        scores, ids = self.index.search(q, k)
        keep = ids[0] >= 0
        return scores[0][keep], ids[0][keep]

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self.index, str(path))

    @staticmethod
    def load(path: Path, kind: str) -> "ANN":
        import faiss

        cls = _KINDS[kind]
        ann = cls(faiss.read_index(str(path)))
        ann.configure()
        return ann

    def configure(self) -> None:
        """Search-time parameters that FAISS does not store."""


class FlatANN(ANN):
    kind = "flat"

    @classmethod
    def build(cls, vectors: np.ndarray) -> "FlatANN":
        import faiss

        index = faiss.IndexFlatIP(vectors.shape[1])
        if len(vectors):
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index)


class HNSWANN(ANN):
    kind = "hnsw"
    M = 32
    EF_CONSTRUCTION = 80
    EF_SEARCH = 128  # bench/studies/ann_recall.py: recall@10 0.99+ on clustered vectors, <1 ms

    @classmethod
    def build(cls, vectors: np.ndarray) -> "HNSWANN":
        import faiss

        index = faiss.IndexHNSWFlat(vectors.shape[1], cls.M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = cls.EF_CONSTRUCTION
        if len(vectors):
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        ann = cls(index)
        ann.configure()
        return ann

    def configure(self) -> None:
        self.index.hnsw.efSearch = self.EF_SEARCH


_KINDS: dict[str, type[ANN]] = {"flat": FlatANN, "hnsw": HNSWANN}


def make_ann(vectors: np.ndarray, kind: str | None = None) -> ANN:
    """Build the backend named `kind`, or the one suited to the number of vectors."""
    if kind is None:
        kind = "hnsw" if len(vectors) >= HNSW_MIN_VECTORS else "flat"
    return _KINDS[kind].build(vectors)
