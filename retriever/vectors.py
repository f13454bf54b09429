"""Each chunk's vector in a generation being built: the old index's, embedded now, or pending.

While a build still has scanned pages to recognise, chunks of recognised pages are not embedded
(issue 20: the passage model stays out of the process while Tesseract runs, so the 100-page
scan's whole process tree stays under 1 GB): their rows are zeros and their ids are listed in
the manifest under `PENDING`. Keyword search finds them at once; semantic search leaves them out
and hybrid search ranks them by their keyword score (`search.py`). The round after the last page
embeds them, and a build that finds pending vectors in the live generation (a restart) embeds
them too: they are never reused as vectors.
"""
from __future__ import annotations

from contextlib import nullcontext
from typing import Callable

import numpy as np

from e5fast.heap import trim_heap

from .embeddings import Embedder
from .store import PENDING, LoadedIndex
from .tokenizer import release_kiwi_memory
from .types import Chunk


def pending_ids(manifest: dict | None) -> set[str]:
    """The chunk ids of a generation whose rows are zeros waiting to be embedded."""
    return set((manifest or {}).get(PENDING, ()))


def old_rows(old: LoadedIndex | None) -> dict[str, int]:
    """Chunk id → row in the old index, for reuse by content hash (empty: nothing reusable)."""
    rows: dict[str, int] = {}
    if old is not None and old.vectors is not None:
        for i, c in enumerate(old.chunks):
            rows.setdefault(c.id, i)
    return rows


def chunk_vectors(embedder: Embedder, chunks: list[Chunk], old: LoadedIndex | None, rows: dict[str, int],
                  defer: bool, say: Callable[[str], None], progress: bool = False,
                  on_embed: Callable[[int, int], None] | None = None,
                  background: bool = False, apart: bool = False) -> tuple[np.ndarray, int, list[str]]:
    """(vectors of every chunk, how many were embedded now, the ids left pending). `defer`:
    chunks of recognised pages (`Chunk.ocr`) that have no vector yet wait (zero rows). `apart`:
    embedded where the model leaves no memory behind (`Embedder.passages_apart`), only for as
    long as the embedding itself lasts."""
    vectors = np.zeros((len(chunks), embedder.dim), dtype=np.float32)
    waiting = pending_ids(old.manifest) if old is not None else set()
    need, pending = [], []
    for i, c in enumerate(chunks):
        j = rows.get(c.id)
        if j is not None and old is not None and old.vectors is not None and c.id not in waiting:
            vectors[i] = old.vectors[j]
        elif defer and c.ocr:
            pending.append(c.id)
        else:
            need.append(i)
    if need:
        if apart:  # what this process holds free goes back before the child comes (the tree's peak)
            trim_heap()
            release_kiwi_memory()
        with embedder.passages_apart() if apart else nullcontext():
            embedder.prepare_passages()  # a model made or loaded first says so first
            say(f"{len(need)}개 청크 임베딩 중 (embedding {len(need)} chunks)…")
            vectors[need] = embedder.embed_passages([chunks[i].indexed_text for i in need], progress=progress,
                                                    on_batch=on_embed, background=background)
    return vectors, len(need), pending
