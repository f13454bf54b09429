"""Score matrices for offline fusion studies: every question's BM25 score of every chunk (K)
and cosine to every chunk (D) of an evaluation set, computed once through the library; a fusion
then re-ranks the union of both sides' top-`pool` exactly like `Searcher._hybrid` does, and is
judged on answer units (hit@1, hit@5, MRR@10).

Shared by the studies in bench/studies (fusion, PRF, sparse vectors, character n-grams).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bench.lib.evalsets import EvalSet, unit_of


@dataclass
class Study:
    name: str
    K: np.ndarray  # (questions, chunks) BM25
    D: np.ndarray  # (questions, chunks) cosine
    units: list[np.ndarray]  # per question: unit id of every chunk
    relevant: list[set[int]]  # per question: relevant unit ids
    terms: list[list[str]]  # per question: query terms
    idf: object  # TermStats
    chunk_len: np.ndarray  # terms per chunk


def build_study(ev: EvalSet, lib) -> Study:
    s = lib.searcher
    chunks = s.index.chunks
    qs = ev.questions
    terms = lib.tokenizer.tokenize_many([q.text for q in qs])
    K = np.stack([s.keyword_scores(t) for t in terms]).astype(np.float32)
    qv = lib.embedder.embed_batch([q.text for q in qs], is_query=True)
    qv = qv / np.linalg.norm(qv, axis=1, keepdims=True)
    D = (qv @ s.index.vectors.T).astype(np.float32)
    units, relevant = [], []
    by_source_cache = None
    for q in qs:
        if q.by == "section":
            keys = [unit_of(_H(c), q) for c in chunks]
        else:
            if by_source_cache is None:
                by_source_cache = [unit_of(_H(c), q) for c in chunks]
            keys = by_source_cache
        ids: dict[str, int] = {}
        arr = np.array([ids.setdefault(k, len(ids)) for k in keys])
        units.append(arr)
        relevant.append({ids[k] for k in q.relevant if k in ids})
    lens = np.array([len(t) for t in s.index.tokens])
    return Study(ev.name, K, D, units, relevant, terms, s.index.term_stats(), lens)


class _H:
    def __init__(self, c):
        self.source, self.heading, self.page = c.source, c.heading, c.page


def rank_units(order: np.ndarray, units: np.ndarray, limit: int = 10) -> list[int]:
    seen: dict[int, None] = {}
    for i in order:
        seen.setdefault(int(units[i]), None)
        if len(seen) >= limit:
            break
    return list(seen)


def score(st: Study, fuse, pool: int = 50) -> dict:
    """fuse(i, kw, de, cand) → fused scores of `cand` (chunk ids) for question i."""
    firsts = []
    for i in range(st.K.shape[0]):
        kw, de = st.K[i], st.D[i]
        cand = candidates(kw, de, pool)
        f = fuse(i, kw, de, cand)
        firsts.append(first_relevant(st, i, cand[np.argsort(-f, kind="stable")[:50]]))
    return summarise(firsts)


def first_relevant(st: Study, i: int, order: np.ndarray) -> int | None:
    """Rank (0-based) of question i's first relevant unit in a chunk ranking, or None."""
    ranked = rank_units(order, st.units[i])
    return next((r for r, u in enumerate(ranked) if u in st.relevant[i]), None)


def summarise(firsts: list[int | None]) -> dict:
    n = max(1, len(firsts))
    found = [f for f in firsts if f is not None]
    return {"hit@1": sum(f == 0 for f in found) / n, "hit@5": sum(f < 5 for f in found) / n,
            "mrr": sum(1 / (f + 1) for f in found) / n}


def top(x: np.ndarray, n: int) -> np.ndarray:
    n = min(n, x.size)
    idx = np.argpartition(-x, n - 1)[:n]
    return idx[np.argsort(-x[idx], kind="stable")]


def candidates(kw: np.ndarray, de: np.ndarray, pool: int) -> np.ndarray:
    k = top(kw, pool)
    k = k[kw[k] > 0]
    return np.union1d(k, top(de, pool))


def zscore(x: np.ndarray, ref: np.ndarray) -> np.ndarray:
    sd = float(ref.std())
    return (x - float(ref.mean())) / (sd if sd > 1e-12 else 1.0)


def keyword_matrix(chunk_terms: list[list[str]], query_terms: list[list[str]], k1: float = 1.2,
                   b: float = 0.75) -> tuple[np.ndarray, object]:
    from retriever.bm25 import BM25Index
    from retriever.terms import TermStats
    import bm25s

    model = bm25s.BM25(k1=k1, b=b, method="lucene")
    model.index(chunk_terms, show_progress=False)
    idx = BM25Index(model, len(chunk_terms))
    return np.stack([idx.scores(t) for t in query_terms]).astype(np.float32), TermStats.from_documents(chunk_terms)
