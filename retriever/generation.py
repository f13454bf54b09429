"""Writing one index generation: every file into a temporary folder, fsync, rename, swap CURRENT.

A crash at any point leaves the previous generation live; the generation before that is
kept one more round for readers that opened it just before the swap (see `store.py` for the
layout). Nothing here uses pickle.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import numpy as np

from .ann import make_ann
from .bm25 import BM25Index
from .fsutil import fsync_dir, fsync_file
from .store import BIGRAM_DIR, CURRENT, build_bigram_bm25, current_generation
from .types import Chunk, Note


def _write_json(path: Path, obj) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
        f.flush()
        os.fsync(f.fileno())


def _fsync_tree(root: Path) -> None:
    for dirpath, _, files in os.walk(root):
        for name in files:
            fsync_file(Path(dirpath) / name)
        fsync_dir(dirpath)


def write_generation(index_dir: Path, chunks: list[Chunk], tokens: list[list[str]], vectors: np.ndarray,
                     manifest: dict, t0: float, notes: list[Note], ann_kind: str | None,
                     extra: Callable[[Path], None] | None = None, bm25: BM25Index | None = None,
                     bigram: BM25Index | None = None) -> Path:
    """Write a complete generation beside the live one and make it live (CURRENT swapped
    atomically); `extra` writes further files into the folder before it is sealed. `bm25` /
    `bigram`: the two keyword fields when the caller has built them already (built here
    otherwise: building them again held a second copy while writing, ~30 MB at 700 pages)."""
    name = f"gen-{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}-{os.getpid()}"
    tmp = index_dir / f".{name}.tmp"
    final = index_dir / name
    tmp.mkdir(parents=True)
    try:
        with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as f:
            for c in chunks:
                f.write(json.dumps({"id": c.id, "source": c.source, "heading": c.heading,
                                    "lines": list(c.lines), "text": c.text, "page": c.page,
                                    "section": c.section, **({"ocr": True} if c.ocr else {})}, ensure_ascii=False) + "\n")
        with open(tmp / "notes.jsonl", "w", encoding="utf-8") as f:
            for n in notes:
                f.write(json.dumps({"source": n.source, "sha256": n.sha256, "encoding": n.encoding,
                                    "pages": list(n.pages), "text": n.text,
                                    **({"ocr_pages": list(n.ocr_pages)} if n.ocr_pages else {})},
                                   ensure_ascii=False) + "\n")
        with open(tmp / "tokens.jsonl", "w", encoding="utf-8") as f:
            for toks in tokens:
                f.write(json.dumps(toks, ensure_ascii=False) + "\n")
        np.save(tmp / "vectors.npy", vectors, allow_pickle=False)
        ann = make_ann(vectors, ann_kind)
        ann.save(tmp / "dense.faiss")
        (bm25 or BM25Index.build(tokens)).save(tmp / "bm25")
        (bigram or build_bigram_bm25(chunks)).save(tmp / BIGRAM_DIR)
        if extra is not None:
            extra(tmp)
        manifest["ann"] = {"kind": ann.kind}
        manifest["build_seconds"] = round(time.perf_counter() - t0, 3)
        _write_json(tmp / "manifest.json", manifest)
        _fsync_tree(tmp)
        os.replace(tmp, final)
        previous = current_generation(index_dir)
        pointer = index_dir / f".{CURRENT}.tmp"
        pointer.write_text(name + "\n", encoding="utf-8")
        fsync_file(pointer)
        os.replace(pointer, index_dir / CURRENT)  # the commit point
        fsync_dir(index_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    # The previous generation stays one more round: a reader that picked it up just
    # before the swap can finish loading it.
    collect_garbage(index_dir, keep={name, previous.name if previous else name})
    return final


def collect_garbage(index_dir: Path, keep: set[str]) -> None:
    """Remove older generations and abandoned temporary folders."""
    for entry in index_dir.iterdir():
        if entry.name in keep or not entry.is_dir():
            continue
        if entry.name.startswith("gen-") or (entry.name.startswith(".gen-") and entry.name.endswith(".tmp")):
            shutil.rmtree(entry, ignore_errors=True)
