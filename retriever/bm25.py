"""BM25 over pre-tokenized chunks (bm25s), persisted as .npy + JSON (no pickle)."""
from __future__ import annotations

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
        import bm25s

        if not n_docs:
            return cls(bm25s.BM25(), 0)
        _quiet_bm25s()
        model = bm25s.BM25.load(str(directory), mmap=False, allow_pickle=False)
        return cls(model, n_docs)


def _quiet_bm25s() -> None:
    logging.getLogger("bm25s").setLevel(logging.ERROR)
