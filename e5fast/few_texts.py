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
_SPACE = ord("\u2581")  # Metaspace's "▁"
_BASE_INT, _MASK = int(_BASE), (1 << 64) - 1


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
        self._inner_space = any("\u2581" in p[1:] for p in pieces)  # none in XLM-R's
        self._grids: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        with np.errstate(over="ignore"):
            self._powers = np.cumprod(np.concatenate([[np.uint64(1)], np.full(self.longest, _BASE)]))

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
        hit, at = self._match(np.sort(subs))  # np.sort: ~15× faster than argsort on a build's batch
        return at[hit]

    def _match(self, ordered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For sorted hashes (searchsorted then walks the table in order, ≈ 8× faster): (which
        are pieces' hashes, their positions in `_hashes`)."""
        at = np.searchsorted(self._hashes, ordered)
        at[at == len(self._hashes)] = 0
        return self._hashes[at] == ordered, at

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

        norms = self._plain(texts)
        if norms is None:
            return None
        keep = self._candidates(norms, normalised=True)
        tok = Tokenizer(models.Unigram([(self.pieces[i], float(self.scores[i])) for i in keep], keep.index(self.unk),
                                       bool(self.template["model"].get("byte_fallback", False))))
        tok.pre_tokenizer = self.front.pre_tokenizer
        encs = tok.encode_batch(norms, add_special_tokens=False)
        return norms, encs, [[keep[i] for i in e.ids] for e in encs]

    def _plain(self, texts: Sequence[str]) -> list[str] | None:
        """The texts normalised, or None when one holds an added token's content (`<s>`, `<mask>`…,
        matched before normalising: only `encode` gives their ids)."""
        added = [t["content"] for t in self.template["added_tokens"]]
        norms = [self.front.normalizer.normalize_str(t) for t in texts]
        return None if any(a in t for a in added for t in (*texts, *norms)) else norms

    def encode_one(self, text: str) -> list[int] | None:
        """A short text's ids in the full vocabulary, one <unk> per unknown character (what
        `windows` wants), by the Unigram's own Viterbi written out here instead of a per-call
        model (`encode_normalised`): a seed question 0.31 ms instead of 0.51 (bench/RESULTS.md,
        issue 22), a tenth of a question's embedding.
        The same lattice and order as `tokenizers` (`Unigram::encode_optimized`): per
        pre-tokenized word, start positions in order, at each the pieces starting there from
        short to long, a later path kept only when strictly better; a position that no
        one-character piece starts gets an <unk> node scored min score − 10. None when the text
        holds an added token's content (as `encode_normalised`)."""
        norms = self._plain([text])
        if norms is None:
            return None
        words = [w for w, _ in self.front.pre_tokenizer.pre_tokenize_str(norms[0])]
        edges: dict[str, dict[int, list[tuple[int, int]]]] = {}  # word → start → [(end, piece id)], short first
        for w in dict.fromkeys(words):
            edges[w] = self._edges(w)
        unk_score = float(self.scores[self.floor]) - 10.0  # tokenizers' K_UNK_PENALTY
        out: list[int] = []
        for w in words:
            out += self._viterbi(w, edges[w], unk_score)
        return out

    def _edges(self, word: str) -> dict[int, list[tuple[int, int]]]:
        """start → [(end, piece id)] of the pieces in `word`, shortest first: the hashes of every
        substring that could be a piece (none holds a "▁" but at its start — `_inner_space`, checked
        over the vocabulary) at once, looked up sorted, then checked against the piece's text (a
        hash found by accident is no piece here)."""
        codes = _codes(word)
        n = len(codes)
        if n == 0:
            return {}
        start, length = self._grid(n)
        # a substring may hold "▁" only at its first character: end before the next one after its start
        space = np.flatnonzero(codes == _SPACE)
        nxt = np.full(n, n)
        if space.size and not self._inner_space:
            nxt = space[np.minimum(np.searchsorted(space, np.arange(n), side="right"), space.size - 1)]
            nxt = np.where(nxt > np.arange(n), nxt, n)
        ok = start + length <= nxt[start]
        start, length = start[ok], length[ok]
        h, pref = 0, [0]  # prefix hashes (Python integers: numpy scalars cost ~1 µs a step)
        for c in word:
            h = (h * _BASE_INT + ord(c)) & _MASK
            pref.append(h)
        prefix = np.array(pref, dtype=np.uint64)
        with np.errstate(over="ignore"):  # h(i, k) = pref[i+k] − pref[i]·B^k (mod 2**64)
            subs = prefix[start + length] - prefix[start] * self._powers[length]
        order = np.argsort(subs, kind="stable")  # which substring each match is: a question's few hundred
        matched, at = self._match(subs[order])
        hit = np.flatnonzero(matched)
        found: dict[int, list[tuple[int, int]]] = {}
        for i, k, pid in sorted(zip(start[order[hit]].tolist(), length[order[hit]].tolist(),
                                    self._hash_ids[at[hit]].tolist())):
            if self.pieces[pid] == word[i:i + k]:
                found.setdefault(i, []).append((i + k, pid))
        return found

    def _grid(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(start, length) of every substring of a text of n characters up to `longest`, cached per n."""
        grid = self._grids.get(n)
        if grid is None:
            ks = np.arange(1, self.longest + 1)
            start, length = np.meshgrid(np.arange(n), ks, indexing="ij")
            keep = (start + length <= n).ravel()
            grid = self._grids[n] = (start.ravel()[keep], length.ravel()[keep])
        return grid

    def _viterbi(self, word: str, edges: dict[int, list[tuple[int, int]]], unk_score: float) -> list[int]:
        n = len(word)
        score: list[float | None] = [0.0] + [None] * n
        back: list[tuple[int, int]] = [(0, 0)] * (n + 1)  # (start, piece id) of the best path's last piece
        for i in range(n):
            here = score[i]
            single = False
            for j, pid in edges.get(i, ()):
                cand = here + float(self.scores[pid])
                if score[j] is None or cand > score[j]:
                    score[j], back[j] = cand, (i, pid)
                single = single or j == i + 1
            if not single:
                cand = here + unk_score
                if score[i + 1] is None or cand > score[i + 1]:
                    score[i + 1], back[i + 1] = cand, (i, self.unk)
        ids, j = [], n
        while j > 0:
            i, pid = back[j]
            ids.append(pid)
            j = i
        return ids[::-1]

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
