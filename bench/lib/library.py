"""The notes library an evaluation searches: one index per evaluation set (reused between
runs, vectors by content hash) and an embedder that remembers query vectors on disk, so fusion
variants and re-runs never embed the same question twice.

Used by `bench/retrieval.py` and by the studies that work on its score matrices.
"""
from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

import numpy as np

from bench.lib.evalsets import EvalSet
from bench.lib.paths import OUT
from retriever import Embedder, FusionConfig, KiwiTokenizer, NotesLibrary, make_embedder
from studyapp.settings import Settings

_SAFE_TAG = re.compile(r"[^A-Za-z0-9._-]")


class QueryMemo(Embedder):
    """An embedder that remembers query vectors (on disk when `store` is given), so fusion
    variants and re-runs do not embed the same question twice. Passages pass through."""

    def __init__(self, inner: Embedder, store: Path | None = None) -> None:
        self.inner, self.store = inner, store
        self.batch_size = inner.batch_size
        self._memo: dict[str, np.ndarray] = {}
        self._dirty = False
        if store is not None and store.with_suffix(".json").exists():
            texts = json.loads(store.with_suffix(".json").read_text(encoding="utf-8"))
            vecs = np.load(store.with_suffix(".npy"), allow_pickle=False)
            self._memo = dict(zip(texts, vecs))

    @property
    def id(self) -> str:
        return self.inner.id

    @property
    def dim(self) -> int:
        return self.inner.dim

    def describe(self) -> dict:  # the path that embeds goes into the index manifest
        return self.inner.describe()

    def embed_batch(self, texts, is_query: bool) -> np.ndarray:
        if not is_query:
            return self.inner.embed_batch(texts, is_query)
        missing = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if missing:
            for t, v in zip(missing, self.inner.embed_batch(missing, True)):
                self._memo[t] = np.asarray(v, dtype=np.float32)
            self._dirty = True
        return np.stack([self._memo[t] for t in texts])

    def save(self) -> None:
        if self.store is None or not self._dirty:
            return
        self.store.parent.mkdir(parents=True, exist_ok=True)
        texts = list(self._memo)
        np.save(self.store.with_suffix(".npy"), np.stack([self._memo[t] for t in texts]), allow_pickle=False)
        self.store.with_suffix(".json").write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        self._dirty = False


def index_dir(ev: EvalSet, embedder: Embedder, out: Path) -> Path:
    tag = _SAFE_TAG.sub("_", embedder.id.split(":")[0])
    if ev.name.startswith("ocr-"):  # bench/ocr_sets.py's own index of the set: its pages are read once
        kind, strength = ev.name.split("-")[1:]
        return out / "ocr" / "index" / f"{'msm80' if kind == 'msm' else kind}-{strength}"
    if ev.corpus.parent.parent == out / "beir":  # notes written from a BEIR set: index beside them
        return ev.corpus.parent / f"index-{tag}"
    where = hashlib.sha1(str(ev.corpus.resolve()).encode()).hexdigest()[:6]
    return out / "index-eval" / f"{ev.corpus.name}-{where}-{tag}"  # one index per notes folder


def memo_embedder(spec: str, out: Path, model_dir: Path | None = None) -> QueryMemo:
    """The embedder, its e5fast model folder in `model_dir` (STUDY_MODEL_DIR) or else under `out`."""
    inner = make_embedder(spec, cache_dir=model_dir or out / "e5fast-model")
    query_path = engine_paths(inner)[1]
    key = inner.id if query_path is None else f"{inner.id}|queries {query_path}"
    return QueryMemo(inner, out / "query-vectors" / hashlib.sha1(key.encode()).hexdigest()[:12])


def engine_paths(embedder: Embedder) -> tuple[str | None, str | None]:
    """(passage path, query path) e5fast runs on this CPU — its choice made now if it was not
    yet —, or (None, None) for an embedder with no paths. An index's vectors (reused by content
    hash) and a memo's question vectors are only this path's when they say so: the embedder id
    does not name the path, and a set's figures once came from vectors another path had
    embedded in an earlier run (bench/RESULTS.md, issue 22)."""
    inner = getattr(embedder, "inner", embedder)
    if not hasattr(inner, "engine"):
        return None, None
    info = inner.load().describe()
    return info.get("path"), info.get("query_path")


def open_library(ev: EvalSet, embedder: Embedder, settings: Settings, fusion: FusionConfig,
                 tokenizer, out: Path = OUT) -> NotesLibrary:
    lib = NotesLibrary(ev.corpus, index_dir(ev, embedder, out), embedder, tokenizer,
                       chunker=settings.chunker, fusion=fusion)
    opened = lib.open_current()
    path = engine_paths(embedder)[0]
    built_by = lib.searcher.index.manifest.get("embedder", {}).get("path") if opened else None
    stale = opened and path is not None and built_by != path
    if stale:
        print(f"  [{ev.name}] vectors embedded by {built_by}, this CPU runs {path}: embedding again",
              file=sys.stderr, flush=True)
    if stale or not opened:
        rep = lib.refresh(rebuild=stale, report=lambda m: print(f"  [{ev.name}] {m}", file=sys.stderr, flush=True))
        print(f"  [{ev.name}] index: {rep.chunks} chunks, embedded {rep.embedded} ({rep.seconds:.0f} s)",
              file=sys.stderr, flush=True)
    return lib


def open_study_library(ev: EvalSet) -> tuple[NotesLibrary, QueryMemo]:
    """The set's library as `bench/retrieval.py` opens it (for the studies on its score matrices)."""
    settings = Settings.from_env()
    embedder = memo_embedder(settings.embeddings, OUT, settings.model_dir)
    return open_library(ev, embedder, settings, settings.fusion, KiwiTokenizer()), embedder
