"""Indexes and libraries of a notes folder for tests."""
from __future__ import annotations

import shutil
from pathlib import Path


def build_index(corpus: Path, index_dir: Path, embedder, tokenizer) -> Path:
    """Build the index of `corpus` into `index_dir`; the folder."""
    from retriever import NotesLibrary

    NotesLibrary(corpus, index_dir, embedder, tokenizer).refresh()
    return index_dir


def open_library(corpus: Path, index_dir: Path, embedder, tokenizer):
    from retriever import NotesLibrary

    lib = NotesLibrary(corpus, index_dir, embedder, tokenizer)
    lib.open()
    return lib


def copy_index(index_dir: Path, dst: Path) -> Path:
    """A private, writable copy of an index (saves re-embedding)."""
    shutil.copytree(index_dir, dst)
    return dst
