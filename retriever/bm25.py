"""BM25 over pre-tokenized chunks (bm25s), persisted as .npy + JSON (no pickle).

A saved index is read back for scoring by `SavedScores`, without bm25s: importing bm25s pulls in
scipy.sparse (and through it numpy.f2py), about 0.3 s of every one-question command.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

PARAMS = {"k1": 1.2, "b": 0.75, "method": "lucene"}


class BM25Index:
    def __init__(self, model, n_docs: int) -> None:
        self._model = model
        self.n_docs = n_docs

    @classmethod
    def build(cls, corpus_tokens: list[list[str]]) -> "BM25Index":
        import bm25s

        model = bm25s.BM25(k1=PARAMS["k1"], b=PARAMS["b"], method=PARAMS["method"])
        if corpus_tokens:
            _quiet_bm25s()
            model.index(corpus_tokens, show_progress=False)
        return cls(model, len(corpus_tokens))

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every document for the query (zeros when nothing matches)."""
        if not self.n_docs:
            return np.zeros(0, dtype=np.float32)
        ids = self._model.get_tokens_ids(query_tokens) if query_tokens else []
        if not ids:
            return np.zeros(self.n_docs, dtype=np.float32)
        return np.asarray(self._model.get_scores_from_ids(ids), dtype=np.float32)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        if self.n_docs:
            self._model.save(str(directory), show_progress=False)

    @classmethod
    def load(cls, directory: Path, n_docs: int) -> "BM25Index":
        """The saved index, for scoring (a build makes a new one from the tokens)."""
        if not n_docs:
            return cls(None, 0)
        saved = SavedScores.read(Path(directory))
        if saved is not None:
            return cls(saved, n_docs)
        import bm25s

        _quiet_bm25s()
        model = bm25s.BM25.load(str(directory), mmap=False, allow_pickle=False)
        return cls(model, n_docs)


class SavedScores:
    """A saved bm25s index read for scoring: its vocabulary and its precomputed per-token score
    columns (CSC), scored exactly as bm25s 0.3 `get_scores_from_ids` does — the same float32
    additions in the same order (`np.add.at` per query token), so the same scores to the bit
    (tests/unit/test_bm25_saved.py compares them with bm25s)."""

    def __init__(self, vocab: dict[str, int], data: np.ndarray, indices: np.ndarray, indptr: np.ndarray,
                 n_docs: int, dtype: np.dtype, int_dtype: np.dtype) -> None:
        self.vocab_dict = vocab
        self.data, self.indices, self.indptr = data, indices, indptr
        self.n_docs, self.dtype, self.int_dtype = n_docs, dtype, int_dtype

    @classmethod
    def read(cls, directory: Path) -> "SavedScores | None":
        """None when the saved index needs what only bm25s does (a method with a
        non-occurrence array, another backend): then bm25s loads it."""
        params = json.loads((directory / "params.index.json").read_text(encoding="utf-8"))
        if params.get("method") not in ("lucene", "robertson", "atire") or params.get("backend", "numpy") != "numpy":
            return None
        vocab = json.loads((directory / "vocab.index.json").read_text(encoding="utf-8"))
        arrays = [np.load(directory / f"{name}.csc.index.npy", allow_pickle=False)
                  for name in ("data", "indices", "indptr")]
        return cls(vocab, *arrays, int(params["num_docs"]), np.dtype(params.get("dtype", "float32")),
                   np.dtype(params.get("int_dtype", "int32")))

    def get_tokens_ids(self, query_tokens: list[str]) -> list[int]:
        return [self.vocab_dict[t] for t in query_tokens if t in self.vocab_dict]

    def get_scores_from_ids(self, query_tokens_ids: list[int]) -> np.ndarray:
        ids = np.asarray(query_tokens_ids, dtype=self.int_dtype)
        if int(ids.max(initial=0)) >= len(self.indptr) - 1:
            raise ValueError("a query token id beyond the index's vocabulary")
        starts, ends = self.indptr[ids], self.indptr[ids + 1]
        scores = np.zeros(self.n_docs, dtype=self.dtype)
        for start, end in zip(starts, ends):
            np.add.at(scores, self.indices[start:end], self.data[start:end])
        return scores


def _quiet_bm25s() -> None:
    logging.getLogger("bm25s").setLevel(logging.ERROR)
