"""Fusion functions compared offline on the real score matrices of each set (bench/RESULTS.md,
issue 12). Every question's BM25 score of every chunk and cosine to every chunk are computed
once through the library; each candidate fusion then ranks the union of both sides' top-`pool`
like `Searcher._hybrid` does. Figures: hit@1, hit@5 and MRR@10 over answer units.

    python bench/fusion_study.py --sets msmarco,pages,seed,facts

The figures that decided the kept setting were re-measured through the search itself
(`bench/retrieval.py`); this script is for trying ideas quickly.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.evalsets import EvalSet, load_set, unit_of  # noqa: E402


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
    h1 = h5 = mrr = 0.0
    n = st.K.shape[0]
    for i in range(n):
        kw, de = st.K[i], st.D[i]
        cand = candidates(kw, de, pool)
        f = fuse(i, kw, de, cand)
        order = cand[np.argsort(-f, kind="stable")[:50]]
        ranked = rank_units(order, st.units[i])
        rel = st.relevant[i]
        first = next((r for r, u in enumerate(ranked) if u in rel), None)
        if first is not None:
            h1 += first == 0
            h5 += first < 5
            mrr += 1 / (first + 1)
    return {"hit@1": h1 / n, "hit@5": h5 / n, "mrr": mrr / n}


def top(x: np.ndarray, n: int) -> np.ndarray:
    n = min(n, x.size)
    idx = np.argpartition(-x, n - 1)[:n]
    return idx[np.argsort(-x[idx], kind="stable")]


def candidates(kw: np.ndarray, de: np.ndarray, pool: int) -> np.ndarray:
    k = top(kw, pool)
    k = k[kw[k] > 0]
    return np.union1d(k, top(de, pool))
