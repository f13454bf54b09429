"""The ways to run the encoder on a batch of windows: torch fp32 / bf16, ONNX Runtime q4 / int8 / fp32.

Each runner turns `Windows` into their pooled vectors (un-normalised mean of each window's
last hidden states, float32) with `run(windows, threads)`: `threads` is how many cores one
call may use (all of them for a build in the foreground, one fewer when the app indexes
in the background beside the web server). Work is split over single-threaded workers, one
batch each (see `workers.py` for why not intra-op threads on a shared machine); a call
with a single batch (a query) runs on the caller's thread.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from .batching import length_buckets, packed_batches
from .heap import trim_heap
from .nano import DIM
from .weights import RowReader
from .windows import Windows

TORCH_PATHS = ("fp32", "bf16")  # the rest run on ONNX Runtime (`ORT_PATHS`)
ORT_PATHS = {"q4": "q4", "int8": "int8", "onnx": "fp32", "int8q": "int8q"}  # path name → ONNX graph kind (onnx_graph.py)
# ONNX Runtime fusions left out per path: on the int8 graph its SkipLayerNormalization kernel
# (residual add + LayerNorm in one) took ~15 % of a passage batch, the unfused Add and
# LayerNormalization ~8 % less in all (bench/results/engine.md, issue 22 no-AMX).
UNFUSED = {"int8": ("SkipLayerNormFusion",)}


class _Pool:
    """n threads; `map(fn, items, limit)` keeps at most `limit` of them busy."""

    def __init__(self, n: int, init: Callable[[], None] | None = None) -> None:
        self.n = max(1, n)
        self._pool = ThreadPoolExecutor(self.n, thread_name_prefix="e5fast", initializer=init)

    def map(self, fn, items: Iterable, limit: int) -> list:
        gate = threading.Semaphore(max(1, min(limit, self.n)))

        def gated(item):
            with gate:
                return fn(item)

        return list(self._pool.map(gated, items))

    def close(self) -> None:
        self._pool.shutdown(wait=False)


class TorchRunner:
    """torch, packed batches (no padding), float32 or bfloat16 weights."""

    # Tokens per packed batch: each worker's activations grow with it (≈ 260 MB at 8,192 in
    # bfloat16, ≈ 70 MB at 2,048) and 2,048 rows already keep the matmuls efficient
    # (same tokens/s, bench/RESULTS.md, issue 22 memory).
    max_batch_tokens = 2048

    def __init__(self, folder: Path, word: RowReader, path: str, workers: int) -> None:
        from .model import load_encoder
        from .workers import SingleThreadWorkers

        if path not in TORCH_PATHS:
            raise ValueError(f"torch path must be one of {TORCH_PATHS}")
        self.path = path
        self.enc = load_encoder(folder, word=word)
        if path == "bf16":
            self.enc.use_bfloat16()
        self._workers = SingleThreadWorkers(workers)

    def run(self, wins: Windows, threads: int) -> np.ndarray:
        import torch

        pooled = np.empty((len(wins.ids), DIM), dtype=np.float32)
        lengths = [len(x) for x in wins.ids]
        batches = packed_batches(lengths, self.max_batch_tokens, min(threads, self._workers.n))

        def run(rows: np.ndarray) -> None:
            with torch.inference_mode():
                pooled[rows] = self.enc.pooled([wins.ids[w] for w in rows]).numpy()

        if len(batches) == 1:  # one small batch (e.g. a query): the caller's own thread
            run(batches[0])
        else:
            self._workers.map(run, batches, limit=threads)
            trim_heap()
        return pooled

    def prepare(self, wins: Windows, threads: int) -> Callable[[], np.ndarray]:
        """`run(wins, threads)` as a call made later (torch holds the GIL between ops: nothing to split)."""
        return lambda: self.run(wins, threads)

    def close(self) -> None:
        self._workers.close()


class OrtRunner:
    """ONNX Runtime, length-bucketed padded batches, one single-threaded run per worker."""

    # Padded tokens per run: smaller runs keep their activations nearer the core's 2 MB L2 —
    # 2,048 took 6–13 % less CPU than 4,096 for int8 on 600-char passages, and 512 was faster
    # again on every path but for the shortest texts (int8 as a CPU without AMX: OCR'd pages
    # 33.5 vs 25.3 passages/s, seed chunks 64.6 vs 41.9; onnx 17.5 vs 14.1; bench/results/engine.md).
    max_batch_tokens = 512
    # Rows per padded batch: a run of 64 short rows (the 120 calibration probes of a build)
    # took ~250 MB more for the moment it ran, which the session's arena then kept; 16 rows
    # took ~15 MB and ran as fast (bench/RESULTS.md, issue 22 memory).
    max_rows = 16
    # int8 quantises a run's activations with one scale for the whole run, so a passage's vector
    # depended on the passages batched with it (cosine 0.9994 between a build's vectors and the
    # same texts alone): one passage a run makes it the text's own, and was as fast (31.5 vs 33.5
    # passages/s on OCR'd pages, 71.5 vs 64.6 on seed chunks, as a CPU without AMX).
    rows_per_path = {"int8": 1}

    def __init__(self, folder: Path, word: RowReader, path: str, workers: int) -> None:
        import onnxruntime as ort  # first: a missing onnxruntime must fail before any export

        from .onnx_graph import encoder_onnx

        self.path = path
        self.word = word
        so = ort.SessionOptions()
        so.intra_op_num_threads = 1  # parallel across batches (workers), not inside one op
        so.inter_op_num_threads = 1
        so.log_severity_level = 3
        so.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(encoder_onnx(folder, ORT_PATHS[path])), so,
                                            providers=["CPUExecutionProvider"],
                                            disabled_optimizers=list(UNFUSED.get(path, ())))
        self._pool = _Pool(workers)

    def run(self, wins: Windows, threads: int) -> np.ndarray:
        pooled = np.empty((len(wins.ids), DIM), dtype=np.float32)
        batches = length_buckets([len(x) for x in wins.ids], self.max_batch_tokens,
                                 self.rows_per_path.get(self.path, self.max_rows),
                                 min(threads, self._pool.n))

        def run(rows: np.ndarray) -> None:
            pooled[rows] = self._forward([wins.ids[w] for w in rows])

        if len(batches) == 1:
            run(batches[0])
        else:
            self._pool.map(run, batches, limit=threads)
            trim_heap()
        return pooled

    def prepare(self, wins: Windows, threads: int) -> Callable[[], np.ndarray]:
        """`run(wins, threads)` in two steps: the inputs of a single batch (a question) are
        made now — Python and the word-table reads, holding the GIL — and the returned call is
        the session's run alone, which releases it."""
        if len(wins.ids) != 1:
            return lambda: self.run(wins, threads)
        feeds = self._feeds(wins.ids)
        return lambda: self.session.run(None, feeds)[0]

    def _forward(self, windows: list[np.ndarray]) -> np.ndarray:
        return self.session.run(None, self._feeds(windows))[0]

    def _feeds(self, windows: list[np.ndarray]) -> dict[str, np.ndarray]:
        longest = max(len(w) for w in windows)
        ids = np.zeros((len(windows), longest), dtype=np.int64)
        mask = np.zeros((len(windows), longest), dtype=np.float32)
        for j, w in enumerate(windows):
            ids[j, :len(w)] = w
            mask[j, :len(w)] = 1.0
        return {"inputs_embeds": self.word[ids], "mask": mask}

    def close(self) -> None:
        self._pool.close()


def make_runner(folder: Path, word: RowReader, path: str, workers: int):
    if path in TORCH_PATHS:
        return TorchRunner(folder, word, path, workers)
    if path in ORT_PATHS:
        return OrtRunner(folder, word, path, workers)
    raise ValueError(f"unknown path {path!r}")
