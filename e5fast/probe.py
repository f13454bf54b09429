"""The fixed texts a candidate path is timed and checked on (`probe.json`, shipped with the package).

`probe.json` holds the project's seed notes cut into its chunks (59 passages), a few mixed
texts (English, code, a page long enough for several windows) and the 72 seed dev
questions, each with the passages that answer it (the chunks of its section). It is made
by `python bench/engine.py probe` from corpus/ and bench/devset.jsonl; the engine only reads it.

`probe_fp32.npy` holds the float32 torch vectors of every probe passage, then every question,
for the model file named in `probe_fp32.json` (its sha256) and this probe's version: the
reference a path must agree with, measured once on the dev machine instead of on every new
CPU (float32 on the whole probe was the largest part of a first choice). For another model
file or probe the engine computes the reference itself, as before.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PROBE_FILE = Path(__file__).with_name("probe.json")
REFERENCE_FILE = Path(__file__).with_name("probe_fp32.npy")  # + its .json: which model and probe


@dataclass(frozen=True)
class Probe:
    passages: tuple[str, ...]
    questions: tuple[str, ...]
    gold: tuple[frozenset[int], ...]  # per question: indices of the passages that answer it

    @property
    def version(self) -> str:
        text = json.dumps([self.passages, self.questions, [sorted(g) for g in self.gold]], ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]

    def timing_batch(self, n: int = 16) -> list[str]:
        """A fixed small batch for timing: every k-th passage, so short and long chunks mix."""
        step = max(1, len(self.passages) // n)
        return list(self.passages[::step][:n])

    def timing_questions(self, n: int = 8) -> list[str]:
        """A few questions, spread over the probe, for timing single queries."""
        step = max(1, len(self.questions) // n)
        return list(self.questions[::step][:n])

    def hits_at_1(self, questions: np.ndarray, passages: np.ndarray) -> int:
        """Questions whose nearest passage (cosine; rows L2-normalised) answers them."""
        top = np.argmax(questions @ passages.T, axis=1)
        return sum(int(t) in g for t, g in zip(top, self.gold))


def load_probe(path: Path = PROBE_FILE) -> Probe:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return Probe(tuple(data["passages"]), tuple(q["text"] for q in data["questions"]),
                 tuple(frozenset(q["gold"]) for q in data["questions"]))


def write_probe(path: Path, passages: list[str], questions: list[tuple[str, list[int]]]) -> None:
    data = {"passages": passages, "questions": [{"text": q, "gold": sorted(g)} for q, g in questions]}
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")


def load_reference(probe: Probe, model_sha256: str, path: Path = REFERENCE_FILE) -> tuple[np.ndarray, np.ndarray] | None:
    """(passage rows, question rows) of float32 torch for `probe` and this model file, or None."""
    try:
        info = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        if info.get("model_sha256") != model_sha256 or info.get("probe") != probe.version:
            return None
        rows = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None
    n = len(probe.passages)
    if rows.shape != (n + len(probe.questions), rows.shape[1]) or rows.dtype != np.float32:
        return None
    return rows[:n], rows[n:]


def write_reference(probe: Probe, model_sha256: str, passages: np.ndarray, questions: np.ndarray,
                    path: Path = REFERENCE_FILE) -> None:
    np.save(path, np.concatenate([passages, questions]).astype(np.float32), allow_pickle=False)
    path.with_suffix(".json").write_text(json.dumps({"model_sha256": model_sha256, "probe": probe.version,
                                                     "rows": [len(passages), len(questions)]}) + "\n",
                                         encoding="utf-8")
