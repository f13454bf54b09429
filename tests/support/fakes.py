"""The one fake of the unit lane: a tiny deterministic embedder (hashed character trigrams),
so tests of search, answers and quizzes run without loading a model. It is no model of
meaning: tests that need real semantic ranking belong in tests/integration."""
from __future__ import annotations

import zlib
from typing import Sequence

import numpy as np

from retriever import Embedder


class FakeEmbedder(Embedder):
    batch_size = 64

    def __init__(self, dim: int = 64) -> None:
        self._dim = dim
        self.id = f"fake:char-trigrams-{dim}"

    @property
    def dim(self) -> int:
        return self._dim

    def embed_batch(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for row, text in enumerate(texts):
            s = " ".join(text.lower().split())
            for i in range(max(1, len(s) - 2)):
                h = zlib.crc32(s[i:i + 3].encode("utf-8"))
                out[row, h % self._dim] += 1.0 if (h >> 16) & 1 else -1.0
            out[row, 0] += 1e-3  # never an all-zero row
        return out
