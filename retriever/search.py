"""Keyword (Kiwi-BM25), semantic (FAISS) and hybrid search over a loaded index.

The keyword side is BM25 over Kiwi terms plus, with half its weight, BM25 over spacing-free
character bigrams (`spacing.py`), each scaled by its best chunk: Korean spacing slips and OCR
breaks still match.

Hybrid = a convex mix of z-scored BM25 and cosine scores over the union of both sides'
top-N candidates, with a query-adaptive keyword weight: `keyword_weight` when the keyword
side's two best chunks tie, rising linearly with the best chunk's BM25 lead
(k1 - k2) / k1 up to `max_keyword_weight`. A keyword side with a clear winner (a rare term,
a code identifier, a number only one page holds) decides; a flat keyword side leaves the
order to meaning. Chosen over min-max, whole-collection, BM25-over-ideal and rank-based
(RRF) normalisations and fixed weights on msmarco-ko, the pages stand-in and the seed sets
(issue 12: bench/studies/fusion_study.md, `bench/studies/fusion_study.py`).
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock

import numpy as np

from .embeddings import Embedder
from .spacing import char_bigrams, query_coverage
from .store import LoadedIndex
from .tokenizer import Tokenizer
from .types import MODES, Hit

MAX_QUERY_CHARS = 1000
MIN_BIGRAM_COVERAGE = 0.5  # a keyword hit without any Kiwi term must hold half the query


class QueryError(ValueError):
    """A query that cannot be searched; the message is one line, fit for the user."""


def check_mode(mode: str) -> str:
    """`mode` when it is a search mode, else QueryError (the one place modes are checked)."""
    if mode not in MODES:
        raise QueryError(f"알 수 없는 검색 방식: {mode} ({', '.join(MODES)} 중 하나)")
    return mode


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

    def weight(self, kw: np.ndarray) -> float:
        """The keyword weight for one query from its candidates' BM25 scores."""
        if not self.adaptive or kw.size == 0:
            return self.keyword_weight
        top2 = np.sort(kw)[-2:] if kw.size > 1 else np.array([0.0, kw[0]])
        lead = float((top2[-1] - top2[0]) / top2[-1]) if top2[-1] > 0 else 0.0
        lo, hi = self.keyword_weight, max(self.keyword_weight, self.max_keyword_weight)
        return lo + (hi - lo) * lead


@dataclass(frozen=True)
class PreparedQuery:
    text: str
    truncated: bool


def prepare_query(query: str, max_chars: int = MAX_QUERY_CHARS) -> PreparedQuery:
    """Validate and normalise a user query; raises QueryError for blank input."""
    if query is None or not str(query).strip():
        raise QueryError("검색어가 비어 있습니다 (empty query).")
    text = " ".join(str(query).split())
    truncated = len(text) > max_chars
    return PreparedQuery(text[:max_chars], truncated)


def _minmax(x: np.ndarray) -> np.ndarray:
    if x.size == 0:
        return x
    lo, hi = float(x.min()), float(x.max())
    if hi - lo < 1e-12:
        return np.ones_like(x) if hi > 0 else np.zeros_like(x)
    return (x - lo) / (hi - lo)


def _by_best(x: np.ndarray) -> np.ndarray:
    best = float(x.max()) if x.size else 0.0
    return x / best if best > 0 else x


def _zscore(x: np.ndarray) -> np.ndarray:
    sd = float(x.std()) if x.size else 0.0
    return (x - float(x.mean())) / sd if sd > 1e-12 else np.zeros_like(x)


def fuse(kw: np.ndarray, dense: np.ndarray, f: FusionConfig) -> np.ndarray:
    """Convex fusion of one query's candidate scores (BM25 `kw`, cosine `dense`)."""
    if not (kw > 0).any():  # no query term in the notes: dense alone decides
        return dense
    norm = _zscore if f.normalise == "z" else _minmax
    w = f.weight(kw)
    return w * norm(kw) + (1.0 - w) * norm(dense)


def _top(scores: np.ndarray, n: int) -> np.ndarray:
    if scores.size == 0:
        return np.zeros(0, dtype=np.int64)
    n = min(n, scores.size)
    idx = np.argpartition(-scores, n - 1)[:n]
    return idx[np.argsort(-scores[idx], kind="stable")]


class Searcher:
    """Read-only search over one loaded index; safe to share between threads."""

    def __init__(self, index: LoadedIndex, embedder: Embedder, tokenizer: Tokenizer,
                 fusion: FusionConfig = FusionConfig(), cache_size: int = 256) -> None:
        self.index = index
        self.embedder = embedder
        self.tokenizer = tokenizer
        self.fusion = fusion
        self._qcache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._qcache_size = cache_size
        self._lock = Lock()
        self._chunk_sources = np.array([c.source for c in index.chunks], dtype=object)

    # -- the two sides --------------------------------------------------------------
    def query_terms(self, query: str) -> list[str]:
        return self.tokenizer(query)

    def keyword_scores(self, terms: list[str]) -> np.ndarray:
        """BM25 over Kiwi terms alone (what answers use to judge whether the notes cover a question)."""
        return self.index.bm25.scores(terms)

    def keyword_side(self, query: str) -> np.ndarray:
        """The keyword score of every chunk: BM25 over Kiwi terms plus, weighted by
        `fusion.bigram_weight`, BM25 over spacing-free character bigrams, each scaled by its
        best chunk — so "데이터 베이스" and an OCR'd "데이 터베이스" still find "데이터베이스"."""
        return self._keyword_parts(query)[0]

    def _keyword_parts(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        """(the keyword side, BM25 over Kiwi terms alone)."""
        bm = self.keyword_scores(self.query_terms(query))
        lam = self.fusion.bigram_weight
        if lam <= 0 or bm.size == 0:
            return bm, bm
        bg = self.index.bigram_bm25.scores(char_bigrams(query))
        return _by_best(bm) + lam * _by_best(bg), bm

    def _shown_as_keyword_hit(self, i: int, kiwi: np.ndarray, query: str) -> bool:
        """A keyword hit holds one of the query's Kiwi terms, or at least half of the query read
        without spaces; a chunk sharing only a bigram or two with the query ("무엇인가요" in an
        unrelated note) is not shown as a match."""
        if kiwi[i] > 0:
            return True
        return query_coverage(self.index.chunks[i].indexed_text, query) >= MIN_BIGRAM_COVERAGE

    def query_vector(self, query: str) -> np.ndarray:
        with self._lock:
            vec = self._qcache.get(query)
            if vec is not None:
                self._qcache.move_to_end(query)
                return vec
        vec = self.embedder.embed_query_vector(query)
        with self._lock:
            self._qcache[query] = vec
            if len(self._qcache) > self._qcache_size:
                self._qcache.popitem(last=False)
        return vec

    def similarities(self, qv: np.ndarray) -> np.ndarray:
        """Cosine of the query vector to every chunk, in chunk order (zeros before the
        chunks are embedded)."""
        if self.index.vectors is None:
            return np.zeros(len(self.index.chunks), dtype=np.float32)
        return self.index.vectors @ qv

    @property
    def live_modes(self) -> tuple[str, ...]:
        """The modes that search as asked: keyword only until the chunks are embedded."""
        return MODES if self.index.dense_ready else ("keyword",)

    # -- chunks -----------------------------------------------------------------------
    def chunk_hit(self, i: int, score: float = 0.0, rank: int = 0) -> Hit:
        c = self.index.chunks[i]
        return Hit(rank=rank, score=score, source=c.source, heading=c.heading, lines=c.lines,
                   text=c.text, chunk_index=i, page=c.page, section=c.section, ocr=c.ocr)

    # -- public ---------------------------------------------------------------------
    def search(self, query: str, mode: str = "hybrid", k: int = 5,
               sources: set[str] | None = None) -> list[Hit]:
        """Top-k hits for `query`. `sources` restricts results to those files. While the chunks
        are not embedded yet, semantic and hybrid search answer with keyword hits (callers
        say so; see `live_modes`)."""
        check_mode(mode)
        if mode not in self.live_modes:
            mode = "keyword"
        q = prepare_query(query).text
        k = max(1, int(k))
        n = len(self.index.chunks)
        if n == 0:
            return []
        mask = None
        if sources is not None:
            mask = np.isin(self._chunk_sources, list(sources))
            if not mask.any():
                return []
        if mode == "keyword":
            scores, kiwi = self._keyword_parts(q)
            if mask is not None:
                scores = np.where(mask, scores, 0.0)
            order = [i for i in _top(scores, 4 * k)
                     if scores[i] > 0 and self._shown_as_keyword_hit(i, kiwi, q)][:k]
            return self._hits(order, scores[order])
        if mode == "semantic":
            ids, sims = self._dense_top(self.query_vector(q), k, mask)
            return self._hits(ids, sims)
        return self._hybrid(q, k, mask)

    def _dense_top(self, qv: np.ndarray, k: int, mask: np.ndarray | None) -> tuple[list[int], np.ndarray]:
        if mask is None:
            sims, ids = self.index.ann.search(qv, k)
            return [int(i) for i in ids], sims
        allowed = np.flatnonzero(mask)
        sims = self.index.vectors[allowed] @ qv
        order = _top(sims, k)
        return [int(allowed[i]) for i in order], sims[order]

    def _hybrid(self, q: str, k: int, mask: np.ndarray | None) -> list[Hit]:
        f = self.fusion
        pool = max(f.pool, k)
        bm = self.keyword_side(q)
        if mask is not None:
            bm = np.where(mask, bm, 0.0)
        bm_top = [int(i) for i in _top(bm, pool) if bm[i] > 0]
        qv = self.query_vector(q)
        dense_ids, _ = self._dense_top(qv, pool, mask)
        cand = np.array(sorted(set(bm_top) | set(dense_ids)), dtype=np.int64)
        if cand.size == 0:
            return []
        dense = self.index.vectors[cand] @ qv
        kw = bm[cand]
        if f.method == "rrf":
            rank_kw = {int(i): r for r, i in enumerate(bm_top)}
            rank_de = {int(i): r for r, i in enumerate(dense_ids)}
            fused = np.array([
                (1.0 / (f.rrf_k + rank_kw[int(i)] + 1) if int(i) in rank_kw else 0.0)
                + (1.0 / (f.rrf_k + rank_de[int(i)] + 1) if int(i) in rank_de else 0.0)
                for i in cand])
        else:
            fused = fuse(kw, dense, f)
        order = _top(fused, k)
        return self._hits([int(cand[i]) for i in order], fused[order])

    def _hits(self, ids, scores) -> list[Hit]:
        return [self.chunk_hit(int(i), float(s), rank) for rank, (i, s) in enumerate(zip(ids, scores), start=1)]
