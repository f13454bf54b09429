"""Kiwi terms of a few long texts, kept beside an index generation so the next process reads them.

An answer judges coverage over the terms of every section of the notes (tutor/answers/coverage.py):
~0.15 s of Kiwi in each `python -m tutor ask` (issue 24: `ask` ≤ 3 s), always the same for one
generation. `kept_terms` returns `tokenizer.tokenize_many(texts)` and writes it into the
generation's folder (JSON, atomically; a folder it cannot write only means tokenising again); a
later call reads it back when its fingerprint — the texts, the tokenizer's code, kiwipiepy and
its model's versions — is the same, so a stale file is never used.
"""
from __future__ import annotations

import hashlib
import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Sequence

from . import tokenizer as tokenizer_mod
from .code_hash import source_hash
from .fsutil import atomic_write
from .tokenizer import Tokenizer

PREFIX = "terms-"


def _version(pkg: str) -> str:
    try:
        return version(pkg)
    except PackageNotFoundError:
        return "-"


def fingerprint(texts: Sequence[str]) -> str:
    """What the terms of `texts` depend on: the texts, the tokenizer's code, Kiwi and its model."""
    basis = json.dumps([source_hash(tokenizer_mod), _version("kiwipiepy"), _version("kiwipiepy_model"), list(texts)], ensure_ascii=False)
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()


def kept_terms(folder: Path | None, key: str, texts: Sequence[str], tokenizer: Tokenizer) -> list[list[str]]:
    """`tokenizer.tokenize_many(texts)`, read from `folder/terms-<key>.json` when it holds the
    terms of these texts by this tokenizer, else computed and written there (`folder` None:
    computed only)."""
    texts = list(texts)
    if folder is None:
        return tokenizer.tokenize_many(texts)
    path = folder / f"{PREFIX}{key}.json"
    mark = fingerprint(texts)
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        if kept.get("fingerprint") == mark and len(kept.get("terms", ())) == len(texts):
            return [list(ts) for ts in kept["terms"]]
    except (OSError, ValueError, AttributeError, TypeError):
        pass
    terms = tokenizer.tokenize_many(texts)
    try:
        data = json.dumps({"fingerprint": mark, "terms": terms}, ensure_ascii=False).encode("utf-8")
        atomic_write(path, data)
    except OSError:  # a read-only index: tokenised again next time
        pass
    return terms
