"""The fixed texts a candidate path is timed and checked on (`probe.json`, shipped with the package).

`probe.json` holds the project's seed notes cut into its chunks (59 passages), a few mixed
texts (English, code, a page long enough for several windows) and the 72 seed dev
questions, each with the passages that answer it (the chunks of its section). It is made
by `python bench/engine.py probe` from corpus/ and bench/devset.jsonl; the engine only reads it.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PROBE_FILE = Path(__file__).with_name("probe.json")


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
