"""Choose the passage path by measuring, once per kind of CPU, and remember the choice.

Every available path embeds a small fixed batch of the probe's passages (`probe.py`) in
interleaved rounds — a burst of other work on a shared machine slows all of them alike —
and is ranked by its best round. Then, fastest first, a path is kept only when it agrees
with float32 torch, the reference, on the whole probe: every passage vector at cosine ≥
0.99 to float32's, and the same hit@1 on the probe's questions (asked through the query
path) as float32 gets. The first that agrees wins (float32 itself always does). The query path (int8 ONNX
Runtime when it is installed: ~1.5 ms a query) is checked the same way first; if it
disagrees, queries go through the chosen passage path instead.

The choice is written to `choices.json` in the model folder under a key made of the CPU's
model and flags, the installed torch / onnxruntime versions and the probe's version, so a
new CPU (or a new runtime) is measured again and everything else reuses it.
"""
from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import numpy as np

from .probe import Probe

AGREE_COSINE = 0.99
Embed = Callable[[list[str], bool], np.ndarray]  # texts, is_query → L2-normalised rows


@dataclass(frozen=True)
class Measured:
    path: str
    passages_per_s: float = 0.0
    cosine_min: float = 0.0
    hits: int = 0
    ok: bool = False
    note: str = ""  # why it was rejected or could not run


@dataclass(frozen=True)
class Choice:
    path: str  # passages: int8 | onnx | bf16 | fp32
    query_path: str  # int8, or the passage path
    reason: str
    cpu: str = ""
    key: str = ""
    measured: tuple[Measured, ...] = field(default=())
    forced: bool = False
    made_at: str = ""

    def to_dict(self) -> dict:
        d = asdict(self)
        d["measured"] = [asdict(m) for m in self.measured]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Choice":
        return cls(**{**d, "measured": tuple(Measured(**m) for m in d.get("measured", ()))})


def measure(runs: dict[str, Embed], probe: Probe, query: Embed | None = None, query_name: str = "int8",
            unavailable: dict[str, str] | None = None, rounds: int = 2, cpu: str = "", key: str = "",
            clock: Callable[[], float] = time.perf_counter) -> Choice:
    """Time every path in `runs` (which must hold the reference "fp32") on a small fixed batch,
    then check the fastest ones against fp32 on the whole probe until one agrees;
    `unavailable` names paths that could not run, with the reason."""
    rates = _rates(runs, probe.timing_batch(), rounds, clock)
    passages, questions = list(probe.passages), list(probe.questions)
    ref_p, ref_q = runs["fp32"](passages, False), runs["fp32"](questions, True)
    ref_hits = probe.hits_at_1(ref_q, ref_p)
    q_vecs, q_path = None, None
    if query is not None:
        q = query(questions, True)
        if _cos_min(q, ref_q) >= AGREE_COSINE and probe.hits_at_1(q, ref_p) == ref_hits:
            q_vecs, q_path = q, query_name
    measured, best = [], None
    for name in sorted(runs, key=lambda n: -rates[n]):
        if best is not None:
            measured.append(Measured(name, rates[name], note=f"not checked: slower than {best.path}"))
            continue
        vecs = ref_p if name == "fp32" else runs[name](passages, False)
        own_q = q_vecs if q_vecs is not None else (ref_q if name == "fp32" else runs[name](questions, True))
        cos, hits = _cos_min(vecs, ref_p), probe.hits_at_1(own_q, vecs)
        note = "" if cos >= AGREE_COSINE else f"cosine {cos:.4f} < {AGREE_COSINE}"
        if hits != ref_hits:
            note = (note + "; " if note else "") + f"hit@1 {hits} ≠ fp32's {ref_hits}"
        measured.append(Measured(name, rates[name], cos, hits, not note, note))
        if not note:
            best = measured[-1]
    measured += [Measured(name, note=why) for name, why in (unavailable or {}).items()]
    query_path = q_path or best.path
    return Choice(best.path, query_path, _reason(best, measured, cpu, query_path, ref_hits, len(questions)),
                  cpu, key, tuple(measured), made_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))


def _rates(runs: dict[str, Embed], batch: list[str], rounds: int, clock) -> dict[str, float]:
    """Passages per second of each path on `batch`: the best of `rounds` interleaved runs, so
    a burst of other work on a shared machine does not decide the choice."""
    for fn in runs.values():  # warm: first calls set up kernels and sessions
        fn(batch[:2], False)
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(rounds):
        for name, fn in runs.items():
            t = clock()
            fn(batch, False)
            best[name] = min(best[name], clock() - t)
    return {name: len(batch) / max(s, 1e-9) for name, s in best.items()}


def _cos_min(a: np.ndarray, b: np.ndarray) -> float:
    return float((a * b).sum(1).min())


def _reason(best: Measured, measured: list[Measured], cpu: str, query_path: str, hits: int, n_q: int) -> str:
    rates = ", ".join(f"{m.path} {m.passages_per_s:.1f}/s" for m in measured if m.passages_per_s)
    rejected = "; ".join(f"{m.path} rejected: {m.note}" for m in measured
                         if m.passages_per_s and not m.ok and not m.note.startswith("not checked"))
    missing = "; ".join(f"{m.path} unavailable: {m.note}" for m in measured if not m.passages_per_s)
    extra = "".join(f"; {x}" for x in (rejected, missing) if x)
    return (f"{best.path}: fastest path that agrees with fp32 (cosine ≥ {AGREE_COSINE}, hit@1 {hits}/{n_q}) "
            f"on {cpu or 'this CPU'} — passages/s {rates}{extra}; queries {query_path}")


class ChoiceCache:
    """`choices.json`: key → Choice, rewritten atomically."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def _all(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def get(self, key: str) -> Choice | None:
        d = self._all().get(key)
        try:
            return Choice.from_dict(d) if d else None
        except TypeError:  # written by another version
            return None

    def put(self, choice: Choice) -> None:
        data = {**self._all(), choice.key: choice.to_dict()}
        fd, tmp = tempfile.mkstemp(prefix=".choices.", dir=self.path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=1)
        os.replace(tmp, self.path)
