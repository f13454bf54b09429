"""Tokenise a few short texts (a query, an answer's lines) without loading the whole tokenizer.

`tokenizers` builds its Unigram model for all 250,002 pieces when tokenizer.json loads: ~1 s
of CPU with the GIL held, most of what a one-question command (`ask`) or the app's first
semantic query waited for after Kiwi (bench/RESULTS.md, issue 24). Viterbi over a text only
ever uses pieces that occur in it, so `FewTexts` builds, per call, a Unigram model of just the
pieces that are substrings of the normalised texts (with their scores and the lowest score
of the whole vocabulary, which sets the unknown-character penalty) and maps its ids back:
the same ids as the full tokenizer (tests/integration/test_e5fast_engine.py compares them on
the probe and on mixed texts). The pieces, their scores and the rest of tokenizer.json are
kept beside it in `few_texts.npz` (written on first use; plain compressed arrays, no pickle;
1.9 MB, so the folder stays under the 250 MiB of issue 22: 248.1 MiB).
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Sequence

import numpy as np

CACHE = "few_texts.npz"
MAX_CHARS = 4000  # longer texts (several windows) go through the full tokenizer


class FewTexts:
    """`encode(texts)` → per text the full tokenizer's encoding, from a model of its own pieces."""

    def __init__(self, template: dict, pieces: list[str], scores: np.ndarray) -> None:
        from tokenizers import Tokenizer

        self.template = template
        self.pieces = pieces
        self.scores = scores
        self.ids = {p: i for i, p in enumerate(pieces)}
        self.longest = max(map(len, pieces))
        self.unk = int(template["model"]["unk_id"])
        self.floor = int(np.argmin(scores))  # the lowest score: the unknown penalty is relative to it
        # the normaliser and pre-tokenizer alone (a one-piece model), to find each text's pieces
        self.front = Tokenizer.from_str(json.dumps(self._doc([self.unk])))

    @classmethod
    def from_folder(cls, folder: str | Path) -> "FewTexts":
        folder = Path(folder)
        src = folder / "tokenizer.json"
        stamp = [src.stat().st_size, src.stat().st_mtime_ns]
        try:
            with np.load(folder / CACHE, allow_pickle=False) as z:
                if z["stamp"].tolist() == stamp:
                    blob = z["blob"].tobytes().decode("utf-8")
                    return cls(json.loads(z["template"].tobytes()), blob.split("\0"), z["scores"])
        except (OSError, ValueError, KeyError):
            pass
        doc = json.loads(src.read_text(encoding="utf-8"))
        vocab = doc["model"].pop("vocab")
        pieces, scores = [p for p, _ in vocab], np.array([s for _, s in vocab], dtype=np.float32)
        _save(folder / CACHE, stamp, doc, pieces, scores)
        return cls(doc, pieces, scores)

    def _doc(self, keep: list[int]) -> dict:
        """tokenizer.json with a vocabulary of the pieces `keep` (full ids, in that order)."""
        at = {full: i for i, full in enumerate(keep)}
        doc = dict(self.template)
        doc["model"] = {**self.template["model"], "unk_id": at[self.unk],
                        "vocab": [[self.pieces[i], float(self.scores[i])] for i in keep]}
        doc["added_tokens"] = [{**t, "id": at[t["id"]]} for t in self.template["added_tokens"] if t["id"] in at]
        return doc

    def _candidates(self, texts: Sequence[str]) -> list[int]:
        found = {self.unk, self.floor, *(t["id"] for t in self.template["added_tokens"])}
        for text in texts:
            norm = self.front.normalizer.normalize_str(text)
            for s in {norm, *(p for p, _ in self.front.pre_tokenizer.pre_tokenize_str(norm))}:
                for a in range(len(s)):
                    for b in range(a + 1, min(len(s), a + self.longest) + 1):
                        i = self.ids.get(s[a:b])
                        if i is not None:
                            found.add(i)
        return sorted(found)

    def encode(self, texts: Sequence[str]) -> tuple[list, list[list[int]]]:
        """(encodings of the small model, per text its ids in the full vocabulary)."""
        from tokenizers import Tokenizer

        keep = self._candidates(texts)
        tok = Tokenizer.from_str(json.dumps(self._doc(keep)))
        encs = tok.encode_batch(list(texts), add_special_tokens=False)
        return encs, [[keep[i] for i in e.ids] for e in encs]

    @property
    def normalizer(self):
        return self.front.normalizer


def _save(path: Path, stamp: list[int], template: dict, pieces: list[str], scores: np.ndarray) -> None:
    """Best effort, atomic: a read-only folder only means reading tokenizer.json next time."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".npz", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            np.savez_compressed(f, stamp=np.array(stamp, dtype=np.int64), scores=scores,
                     blob=np.frombuffer("\0".join(pieces).encode("utf-8"), dtype=np.uint8),
                     template=np.frombuffer(json.dumps(template).encode("utf-8"), dtype=np.uint8))
        os.replace(tmp, path)
    except OSError:
        pass
