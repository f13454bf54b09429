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

A build's passages go through it too, 64 chunks a call: the full tokenizer holds ~280 MB
resident (its trie of 250k pieces), the largest single item of a build's peak RSS (issue 22:
≤ 1 GB for 700 pages), while this costs ~130 MB. The pieces a batch contains are found by
hashing every substring of up to `longest` characters at once (numpy, a 64-bit polynomial
hash, all lengths in one pass each) and looking the hashes up among the pieces' hashes: a
hash that matches by accident only adds a piece the text does not contain, which Viterbi
then cannot use, so the ids stay exactly the full tokenizer's.
"""
from __future__ import annotations

import json
import os
import tempfile
from functools import cached_property
from pathlib import Path
from typing import Sequence

import numpy as np

CACHE = "few_texts.npz"
_BASE = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit multiplier of the substring hash (mod 2**64)


class FewTexts:
    """`encode(texts)` → per text the full tokenizer's encoding, from a model of its own pieces."""

    def __init__(self, template: dict, pieces: list[str], scores: np.ndarray) -> None:
        from tokenizers import Tokenizer

        self.template = template
        self.pieces = pieces
        self.scores = scores
        self.longest = max(map(len, pieces))
        self.unk = int(template["model"]["unk_id"])
        self.floor = int(np.argmin(scores))  # the lowest score: the unknown penalty is relative to it
        self._hashes, self._hash_ids = _piece_hashes(pieces, self.longest)
        self._spaced = any(" " in p for p in pieces)
        # the normaliser and pre-tokenizer alone (a one-piece model), to find each text's pieces
        self.front = Tokenizer.from_str(json.dumps(self._doc([self.unk])))

    @cached_property
    def ids(self) -> dict[str, int]:
        """Each piece's id (250,002 entries: built only when asked, ~0.1 s)."""
        return {p: i for i, p in enumerate(self.pieces)}

    def piece_id(self, piece: str) -> int:
        """`ids[piece]`, without building `ids` for the unknown piece (a query's one look-up)."""
        return self.unk if piece == self.pieces[self.unk] else self.ids[piece]

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

    def _candidates(self, texts: Sequence[str], normalised: bool = False) -> list[int]:
        found = {self.unk, self.floor, *(t["id"] for t in self.template["added_tokens"])}
        strings = []
        for text in texts:
            norm = text if normalised else self.front.normalizer.normalize_str(text)
            pre = [p for p, _ in self.front.pre_tokenizer.pre_tokenize_str(norm)]
            # Viterbi runs on the pre-tokenized text ("▁" for spaces): the normalised text adds
            # only substrings with a space, which no piece has unless `_spaced` says so
            strings += [norm, *pre] if self._spaced else pre
        codes = _codes("\0".join(strings))
        subs, hits, short = np.zeros(len(codes), dtype=np.uint64), [], []
        # A short call (a question) looks all its substrings up at once: one sort and one search
        # instead of one per length (0.46 → 0.1 ms a question); a build's batch of chunks, length
        # by length, so its substrings are never all held at once.
        together = len(codes) * self.longest <= 1 << 16
        with np.errstate(over="ignore"):
            for n in range(1, min(self.longest, len(codes)) + 1):
                subs = subs[:len(codes) - n + 1] * _BASE + codes[n - 1:]  # every substring of n characters
                if together:
                    short.append(subs)
                else:
                    hits.append(self._known(subs))
        if short:
            hits.append(self._known(np.concatenate(short)))
        if hits:
            found.update(self._hash_ids[np.unique(np.concatenate(hits))].tolist())
        return sorted(found)

    def _known(self, subs: np.ndarray) -> np.ndarray:
        """Positions in `_hashes` of the substring hashes `subs` that are pieces' hashes."""
        ordered = np.sort(subs)  # sorted keys: searchsorted walks the table in order (≈ 8× faster)
        at = np.searchsorted(self._hashes, ordered)
        at[at == len(self._hashes)] = 0
        return at[self._hashes[at] == ordered]

    def encode(self, texts: Sequence[str]) -> tuple[list, list[list[int]]]:
        """(encodings of the small model, per text its ids in the full vocabulary)."""
        from tokenizers import Tokenizer

        keep = self._candidates(texts)
        tok = Tokenizer.from_str(json.dumps(self._doc(keep)))
        encs = tok.encode_batch(list(texts), add_special_tokens=False)
        return encs, [[keep[i] for i in e.ids] for e in encs]

    def encode_normalised(self, texts: Sequence[str]) -> tuple[list[str], list, list[list[int]]] | None:
        """(per text its normalised form, encodings of the small model over those forms — offsets
        index them —, per text its ids in the full vocabulary): the same ids as `encode`, the
        per-call model made directly (a Unigram and the pre-tokenizer, texts normalised once)
        instead of through tokenizer.json's text, whose 69 KB charsmap `encode` serialises and
        parses again on every call (a question 1.9 → 0.45 ms, bench/RESULTS.md, issues 21/22). None when a text holds an added token's content (`<s>`, `<mask>`…): those
        are matched in the text before normalising, so only `encode` gives their ids."""
        from tokenizers import Tokenizer, models

        added = [t["content"] for t in self.template["added_tokens"]]
        norms = [self.front.normalizer.normalize_str(t) for t in texts]
        if any(a in t for a in added for t in (*texts, *norms)):
            return None
        keep = self._candidates(norms, normalised=True)
        tok = Tokenizer(models.Unigram([(self.pieces[i], float(self.scores[i])) for i in keep], keep.index(self.unk),
                                       bool(self.template["model"].get("byte_fallback", False))))
        tok.pre_tokenizer = self.front.pre_tokenizer
        encs = tok.encode_batch(norms, add_special_tokens=False)
        return norms, encs, [[keep[i] for i in e.ids] for e in encs]

    @property
    def normalizer(self):
        return self.front.normalizer


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def _piece_hashes(pieces: list[str], longest: int) -> tuple[np.ndarray, np.ndarray]:
    """(sorted hashes of the pieces, each one's piece id); distinct pieces never share a hash
    here (checked: one that did could hide a piece from `_candidates`). The pieces are hashed
    longest first, so the ones still going at character `j` are a prefix (no per-character
    mask, no padded grid: 0.26 → 0.13 s of a one-question command)."""
    lengths = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
    codes = _codes("".join(pieces))
    by_length = np.argsort(-lengths, kind="stable")
    ls, starts = lengths[by_length], (np.cumsum(lengths) - lengths)[by_length]
    hashes = np.zeros(len(pieces), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(longest):
            going = int(np.searchsorted(-ls, -j, side="left"))  # the pieces longer than j
            hashes[:going] = hashes[:going] * _BASE + codes[starts[:going] + j]
    unsorted = np.empty_like(hashes)
    unsorted[by_length] = hashes
    order = np.argsort(unsorted, kind="stable")
    hashes = unsorted[order]
    if (hashes[1:] == hashes[:-1]).any() and len(set(pieces)) == len(pieces):
        raise ValueError("two pieces share a substring hash")
    return hashes, order.astype(np.int64)


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
