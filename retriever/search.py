"""Keyword (Kiwi-BM25), semantic (FAISS) and hybrid search over a loaded index.

The keyword side is BM25 over Kiwi terms plus, with half its weight, BM25 over spacing-free
character bigrams (`spacing.py`), each scaled by its best chunk: Korean spacing slips and OCR
breaks still match.

Hybrid fuses the two sides' top-N candidates with `fusion.py`'s rule; its weights are the
corpus's own (measured when the index was built, `calibration.py`), the defaults, or the
`STUDY_KEYWORD_WEIGHT` setting, and `search_explained` says which a search used.
"""
from __future__ import annotations

from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from threading import Lock

import numpy as np

from .embeddings import Embedder
from .frame_words import split_frame
from .fusion import FusionConfig, Weights, by_best, fuse, rrf
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


def _top(scores: np.ndarray, n: int) -> np.ndarray:
    if scores.size == 0:
        return np.zeros(0, dtype=np.int64)
    n = min(n, scores.size)
    idx = np.argpartition(-scores, n - 1)[:n]
    return idx[np.argsort(-scores[idx], kind="stable")]


class Searcher:
    """Read-only search over one loaded index; safe to share between threads."""

    def __init__(self, index: LoadedIndex, embedder: Embedder, tokenizer: Tokenizer,
                 fusion: FusionConfig = FusionConfig(), cache_size: int = 256, beside: bool = True) -> None:
        self.index = index
        self.embedder = embedder
        self.tokenizer = tokenizer
        self.fusion = fusion
        self._qcache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._qcache_size = cache_size
        self._lock = Lock()
        self._chunk_sources = np.array([c.source for c in index.chunks], dtype=object)
        self.beside = beside  # score the keyword side in a helper thread during the model run (`both_sides`)
        self._headings_with: dict[str, np.ndarray] = {}  # frame word → chunks whose heading holds it
        self._beside: ThreadPoolExecutor | None = None

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
        """(the keyword side, BM25 over Kiwi terms alone); both read the question without its
        frame words (개념, 차이 …: what kind of answer it wants) when it has others, but for the
        chunks whose heading holds one (`frame_words`)."""
        terms, pieces, frame = split_frame(query, self.tokenizer.spans(query))
        bm = self.keyword_scores(terms)
        for word in frame:
            bm = bm + self._in_heading(word, self.keyword_scores, [word])
        lam = self.fusion.bigram_weight
        if lam <= 0 or bm.size == 0:
            return bm, bm
        # bigrams within each piece (a lone syllable between two frame words is no bigram)
        grams = [b for piece in pieces for b in char_bigrams(piece) if len(b) == 2] or char_bigrams("".join(pieces))
        bg = self.index.bigram_bm25.scores(grams)
        for word in frame:
            bg = bg + self._in_heading(word, self.index.bigram_bm25.scores, char_bigrams(word))
        return by_best(bm) + lam * by_best(bg), bm

    def _in_heading(self, word: str, score, terms: list[str]) -> np.ndarray:
        """`score(terms)` where a chunk's heading holds `word`, else 0 (no scoring when none does)."""
        with self._lock:
            mask = self._headings_with.get(word)
            if mask is None:
                mask = self._headings_with[word] = np.array([word in c.heading for c in self.index.chunks], dtype=bool)
        return np.where(mask, score(terms), 0.0) if mask.any() else np.zeros(len(mask))

    def _shown_as_keyword_hit(self, i: int, kiwi: np.ndarray, query: str) -> bool:
        """A keyword hit holds one of the query's Kiwi terms, or at least half of the query read
        without spaces; a chunk sharing only a bigram or two with the query ("무엇인가요" in an
        unrelated note) is not shown as a match."""
        if kiwi[i] > 0:
            return True
        return query_coverage(self.index.chunks[i].indexed_text, query) >= MIN_BIGRAM_COVERAGE

    def query_vector(self, query: str) -> np.ndarray:
        vec = self._cached_vector(query)
        return vec if vec is not None else self._keep_vector(query, self.embedder.embed_query_vector(query))

    def _cached_vector(self, query: str) -> np.ndarray | None:
        with self._lock:
            vec = self._qcache.get(query)
            if vec is not None:
                self._qcache.move_to_end(query)
            return vec

    def _keep_vector(self, query: str, vec: np.ndarray) -> np.ndarray:
        with self._lock:
            self._qcache[query] = vec
            if len(self._qcache) > self._qcache_size:
                self._qcache.popitem(last=False)
        return vec

    def both_sides(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        """(the query vector, the keyword side) of one query. When the vector is not cached, the
        model runs in this thread while a helper thread scores the keyword side: the embedder
        tokenises first (`query_job`, holding the GIL), then its model run (ONNX Runtime) holds
        no GIL, so Kiwi and BM25 (~0.5–1 ms) overlap it on a second core: 0.87–0.89× a hybrid
        search's time (bench/RESULTS.md, issue 22; no gain when the other core is busy). Started
        the other way round, Kiwi (which holds the GIL while it analyses) made the tokeniser
        wait, and nothing was gained."""
        vec = self._cached_vector(query)
        if vec is not None or not self.beside:
            return self.query_vector(query), self.keyword_side(query)
        run = self.embedder.query_job(query)
        with self._lock:
            if self._beside is None:
                self._beside = ThreadPoolExecutor(1, thread_name_prefix="keyword-side")
            beside = self._beside
        keyword = beside.submit(self.keyword_side, query)
        try:
            vec = self._keep_vector(query, run())
        finally:
            bm = keyword.result()
        return vec, bm

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
        return self.search_explained(query, mode, k, sources)[0]

    def search_explained(self, query: str, mode: str = "hybrid", k: int = 5,
                         sources: set[str] | None = None) -> tuple[list[Hit], Weights | None]:
        """`search`, and the fusion weights a hybrid search used (None for the other modes,
        and for a hybrid search answered by keyword alone before the chunks are embedded)."""
        check_mode(mode)
        if mode not in self.live_modes:
            mode = "keyword"
        q = prepare_query(query).text
        k = max(1, int(k))
        n = len(self.index.chunks)
        if n == 0:
            return [], (self.fusion.weights(None) if mode == "hybrid" else None)
        mask = None
        if sources is not None:
            mask = np.isin(self._chunk_sources, list(sources))
            if not mask.any():
                return [], (self.fusion.weights(None) if mode == "hybrid" else None)
        if mode == "keyword":
            scores, kiwi = self._keyword_parts(q)
            if mask is not None:
                scores = np.where(mask, scores, 0.0)
            order = [i for i in _top(scores, 4 * k)
                     if scores[i] > 0 and self._shown_as_keyword_hit(i, kiwi, q)][:k]
            return self._hits(order, scores[order]), None
        if mode == "semantic":
            ids, sims = self._dense_top(self.query_vector(q), k, mask)
            return self._hits(ids, sims), None
        return self._hybrid(q, k, mask)

    def _dense_top(self, qv: np.ndarray, k: int, mask: np.ndarray | None,
                   exact: bool = False) -> tuple[list[int], np.ndarray]:
        waiting = self.index.waiting  # rows without a vector yet never come from the dense side
        if waiting is not None:
            mask = ~waiting if mask is None else mask & ~waiting
        if mask is None and exact:  # every cosine, not the ANN's (the calibration; no copy of the vectors)
            sims = self.index.vectors @ qv
            order = _top(sims, k)
            return [int(i) for i in order], sims[order]
        if mask is None:
            sims, ids = self.index.ann.search(qv, k)
            return [int(i) for i in ids], sims
        allowed = np.flatnonzero(mask)
        sims = self.index.vectors[allowed] @ qv
        order = _top(sims, k)
        return [int(allowed[i]) for i in order], sims[order]

    def candidates(self, q: str, qv: np.ndarray, pool: int, mask: np.ndarray | None = None,
                   exact: bool = False, keyword: np.ndarray | None = None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[int], list[int]]:
        """The union of both sides' top-`pool` for one query: (chunk ids, their keyword
        scores, their cosines, keyword top ids, dense top ids); `exact`: the dense side from
        every cosine rather than the ANN; `keyword`: the keyword side when already scored."""
        bm = self.keyword_side(q) if keyword is None else keyword
        if mask is not None:
            bm = np.where(mask, bm, 0.0)
        bm_top = [int(i) for i in _top(bm, pool) if bm[i] > 0]
        dense_ids, _ = self._dense_top(qv, pool, mask, exact)
        cand = np.array(sorted(set(bm_top) | set(dense_ids)), dtype=np.int64)
        dense = self.index.vectors[cand] @ qv if cand.size else np.zeros(0, dtype=np.float32)
        return cand, bm[cand], self._neutral_where_waiting(cand, dense), bm_top, dense_ids

    def _neutral_where_waiting(self, cand: np.ndarray, dense: np.ndarray) -> np.ndarray:
        """A candidate whose vector is not written yet (a page recognised while scans are
        read) gets the mean cosine of the others: neutral after z-scoring, so its keyword
        score alone places it — found, neither dropped for a zero row nor lifted by one."""
        waiting = self.index.waiting
        if waiting is None or not cand.size:
            return dense
        wait = waiting[cand]
        if wait.any():
            dense = dense.copy()
            dense[wait] = float(dense[~wait].mean()) if (~wait).any() else 0.0
        return dense

    def _hybrid(self, q: str, k: int, mask: np.ndarray | None) -> tuple[list[Hit], Weights]:
        f = self.fusion
        qv, keyword = self.both_sides(q)
        cand, kw, dense, bm_top, dense_ids = self.candidates(q, qv, max(f.pool, k), mask, keyword=keyword)
        weights = f.weights(kw)
        if cand.size == 0:
            return [], weights
        fused = rrf(bm_top, dense_ids, cand, f.rrf_k) if f.method == "rrf" else fuse(kw, dense, f)
        order = _top(fused, k)
        return self._hits([int(cand[i]) for i in order], fused[order]), weights

    def _hits(self, ids, scores) -> list[Hit]:
        return [self.chunk_hit(int(i), float(s), rank) for rank, (i, s) in enumerate(zip(ids, scores), start=1)]
