"""Kiwi loaded in a forked helper while this process imports the rest (issue 24: `ask` ≤ 3 s).

Kiwi takes ~1.5 s to load and build on its first analysis, holding the GIL throughout, and a
one-question command needs it right after its ~1 s of imports. `kiwi_ahead()` — called by the
command line before it imports the command — forks a helper (`forked.Forked`) that loads Kiwi
exactly as `tokenizer.load_local_kiwi` does and warms it; until the block ends, every Kiwi call of
this process (`tokenize`, `split_into_sents`: all `KiwiTokenizer` uses) is answered by it, with
the same tokens (form, tag, start, len). Any failure loads Kiwi here and goes on as without it.

The helper is put where `tokenizer._load_kiwi` keeps the loaded model, so tokenizer.py itself
is unchanged: its source hash is part of every index's settings (a change re-tokenises them).
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterable, Iterator, NamedTuple

from . import tokenizer as tok_mod
from .forked import Forked, can_fork, serve_forever

WARM = "준비"  # Kiwi builds its model on the first analysis: done at once, before it is asked


class Token(NamedTuple):
    """What `KiwiTokenizer` reads of a Kiwi token."""

    form: str
    tag: str
    start: int
    len: int


class Sentence(NamedTuple):
    start: int
    end: int


def _child(num_workers: int):
    def run(requests: int, replies: int) -> None:
        kiwi = tok_mod._load_kiwi(num_workers)  # the child's own: the helper is put there after the fork
        kiwi.tokenize(WARM)

        def answer(header: dict, _: bytes) -> tuple[dict, bytes]:
            if header["op"] == "sents":
                return {"sents": [[s.start, s.end] for s in kiwi.split_into_sents(header["text"])]}, b""
            texts = header["texts"]
            out = [kiwi.tokenize(texts[0])] if header.get("single") else kiwi.tokenize(texts)
            return {"tokens": [[[t.form, t.tag, t.start, t.len] for t in toks] for toks in out]}, b""

        serve_forever(requests, replies, answer)

    return run


class KiwiAhead:
    """Kiwi's two calls answered by the helper; Kiwi itself (loaded here) after a failure."""

    def __init__(self, helper: Forked, num_workers: int) -> None:
        self.helper = helper
        self.num_workers = num_workers

    def _local(self):
        """Kiwi loaded in this process (a tokenizer may keep this object after the block)."""
        self.release()
        return tok_mod._load_kiwi(self.num_workers)

    def release(self) -> None:
        """Stop the helper; Kiwi loads here on the next call."""
        self.helper.close()
        with tok_mod._KIWI_LOCK:
            if tok_mod._KIWI.get(self.num_workers) is self:
                del tok_mod._KIWI[self.num_workers]

    def tokenize(self, text: str | Iterable[str]):
        single = isinstance(text, str)
        texts = [text] if single else list(text)
        got = self.helper.call({"op": "tokenize", "texts": texts, "single": single})
        if got is None:
            return self._local().tokenize(text if single else texts)
        out = [[Token(*t) for t in toks] for toks in got[0]["tokens"]]
        return out[0] if single else out

    def split_into_sents(self, text: str):
        got = self.helper.call({"op": "sents", "text": text})
        if got is None:
            return self._local().split_into_sents(text)
        return [Sentence(*s) for s in got[0]["sents"]]


@contextmanager
def kiwi_ahead(wanted: bool = True, num_workers: int = -1) -> Iterator[KiwiAhead | None]:
    """Around a one-shot command that will tokenise: Kiwi loads in a forked helper from now on,
    and this process's Kiwi calls go to it until the block ends. Nothing happens unless
    `wanted`, a fork is clean here (`forked.can_fork`) and Kiwi is not loaded here already."""
    ahead = None
    if wanted and can_fork() and num_workers not in tok_mod._KIWI:
        try:
            ahead = KiwiAhead(Forked.start(_child(num_workers)), num_workers)
        except OSError:
            ahead = None
    if ahead is None:
        yield None
        return
    with tok_mod._KIWI_LOCK:
        tok_mod._KIWI[num_workers] = ahead
    try:
        yield ahead
    finally:
        ahead.release()
