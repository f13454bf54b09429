"""How windows are grouped into forward passes (pure functions of their token counts).

Padded batches (ONNX Runtime) cost rows × longest window, so windows are sorted by length
and cut into buckets whose padded size stays within a token budget: a 40-token chunk never
waits in a batch padded to 512. Packed batches (torch, `model.py`) concatenate windows with
no padding at all; they only need a token budget, and at least one batch per worker.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np


def length_buckets(lengths: Sequence[int], budget: int = 4096, max_rows: int = 64,
                   workers: int = 1) -> list[np.ndarray]:
    """Window indices, longest first, in groups whose padded size (rows × longest) ≤ budget
    (a single window longer than the budget is a group of its own); with several workers the
    budget shrinks so that every worker gets a group (as `packed_batches`): a 16-passage batch
    in one group ran on one core while torch used both, and the choice ranked ONNX Runtime ~2×
    too slow (bench/results/engine.md, issue 22 no-AMX)."""
    lengths = np.asarray(lengths, dtype=np.int64)
    if workers > 1:
        budget = max(256, min(budget, int(lengths.sum()) // workers + 1))
    order = np.argsort(-lengths, kind="stable")
    out, start = [], 0
    while start < len(order):
        longest = int(lengths[order[start]])
        rows = max(1, min(max_rows, budget // max(longest, 1)))
        out.append(order[start:start + rows])
        start += rows
    return out


def packed_batches(lengths: Sequence[int], budget: int = 8192, workers: int = 1) -> list[np.ndarray]:
    """Window indices in length-sorted groups of ≤ budget tokens, split finer when there are
    fewer groups than workers (so every worker gets one)."""
    lengths = np.asarray(lengths, dtype=np.int64)
    if workers > 1:
        budget = max(1024, min(budget, int(lengths.sum()) // workers + 1))
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


def fixed_batches(n: int, size: int = 16) -> list[np.ndarray]:
    """The naive grouping, in input order (what length buckets are measured against)."""
    return [np.arange(i, min(n, i + size)) for i in range(0, n, size)]


def padded_tokens(batches: Sequence[np.ndarray], lengths: Sequence[int]) -> int:
    """Token rows a padded run of `batches` computes (real tokens + padding)."""
    lengths = np.asarray(lengths, dtype=np.int64)
    return int(sum(len(b) * int(lengths[b].max()) for b in batches if len(b)))
