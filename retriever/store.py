"""The persisted index: its folder layout, the loaded generation, and loading it.

Layout of the index folder::

    CURRENT                  name of the live generation (replaced atomically)
    gen-<time>-<pid>/        one complete, self-contained generation
        manifest.json        format, embedder, chunker, per-file and per-chunk hashes, counts
        chunks.jsonl         the chunk table, one JSON object per line (with its page, if any)
        notes.jsonl          each note's extracted text and page starts (loaded on demand)
        tokens.jsonl         each chunk's BM25 terms (loaded on demand, not for searching)
        vectors.npy          float32 embeddings, row i = chunk i (allow_pickle=False)
        dense.faiss          FAISS index over vectors.npy
        bm25/                bm25s arrays (.npy) and vocabulary (JSON)
        bm25-bigram/         the same over spacing-free character bigrams (built on first
                             search for a generation written before it existed)
        ocr.jsonl            recognised text of scanned pages by page content (retriever/ocr)

Building lives in `indexer.py` (writing in `generation.py`): it writes a new generation beside the live one and then
swaps CURRENT, so a crash at any point leaves the previous generation live. Nothing here
uses pickle.
"""
from __future__ import annotations

import fcntl
import json
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

import numpy as np

from .ann import ANN
from .bm25 import BM25Index
from .spacing import char_bigrams
from .terms import TermStats
from .types import Chunk, Note, Skipped

FORMAT_VERSION = 3
READABLE_FORMATS = (2, 3)  # format 2 had no notes.jsonl and no pages: still searchable and reusable
CURRENT = "CURRENT"
BIGRAM_DIR = "bm25-bigram"
PENDING = "vectors_pending"  # the manifest's chunk ids whose vectors are not written yet (`vectors.py`)

T = TypeVar("T")


class IndexUnreadable(RuntimeError):
    """The index on disk cannot be used (missing, corrupt or incompatible)."""


@dataclass
class BuildReport:
    files: int = 0
    chunks: int = 0
    embedded: int = 0
    reused: int = 0
    removed: int = 0
    seconds: float = 0.0
    skipped: list[Skipped] = field(default_factory=list)
    changed: bool = False
    rebuilt_reason: str = ""
    embedder: dict = field(default_factory=dict)  # {"id", "path"?, "why"?}: what embedded and why
    calibration: dict = field(default_factory=dict)  # the manifest's "calibration" entry (issue 21)
    # the live index as loaded for the check, when nothing had to change (saves a reload)
    index: "LoadedIndex | None" = field(default=None, repr=False, compare=False)
    # recognised (OCR) pages under the confidence floor, {"path", "page", "confidence"};
    # None when no indexed file has scanned pages
    ocr: list[dict] | None = None
    recognised: int = 0  # pages this build ran OCR on (pages recognised before are cached)
    vectors_pending: int = 0  # chunks of recognised pages whose vectors are not written yet

    def to_dict(self) -> dict:
        d = {
            "files": self.files, "chunks": self.chunks, "embedded": self.embedded,
            "reused": self.reused, "removed": self.removed, "seconds": round(self.seconds, 3),
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "embedder": self.embedder,
            "calibration": calibration_report(self.calibration),
        }
        if self.ocr is not None:  # only with scanned notes: the report of text notes stays as it was
            d["ocr"] = self.ocr
            d["recognised"] = self.recognised
            d["vectors_pending"] = self.vectors_pending  # 0 once a build is done
        return d


def calibration_report(entry: dict) -> dict:
    """A manifest's calibration entry as reported (its figures and time, not its chunk ids)."""
    return {k: v for k, v in entry.items() if k != "chunk_ids"}


def embedder_report(entry: dict) -> dict:
    """A manifest's embedder entry as reported: its id, and for e5fast the path and why."""
    return {k: entry[k] for k in ("id", "path", "query_path", "why") if k in entry}


@dataclass
class LoadedIndex:
    """A generation loaded in memory, read-only once built.

    `memo` keeps values derived from this generation (the notes' structure, term weights…)
    with the generation itself, so a refresh that swaps in a new generation can never
    serve another generation's derived data.
    """

    path: Path | None  # None: built in memory, not written yet (keyword search during a build)
    manifest: dict
    chunks: list[Chunk]
    vectors: np.ndarray | None  # None until the chunks are embedded
    ann: ANN | None
    bm25: BM25Index
    _tokens: list[list[str]] | None = None
    _notes: list[Note] | None = None  # the notes' text when built in memory
    _memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _memo_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def dense_ready(self) -> bool:
        """Whether the chunks have vectors (semantic and hybrid search work): some rows may
        still wait for theirs (`waiting`), not all of them."""
        if self.vectors is None or self.ann is None:
            return False
        waiting = self.waiting
        return waiting is None or not bool(waiting.all())

    @property
    def waiting(self) -> np.ndarray | None:
        """Rows whose vectors are not written yet (zeros: chunks of pages recognised while the
        build still reads scanned pages, `vectors.py`) as a mask; None when every row has one."""
        def load() -> np.ndarray | None:
            ids = set(self.manifest.get(PENDING, ()))
            return np.array([c.id in ids for c in self.chunks], dtype=bool) if ids else None

        return self.memo("retriever:waiting", load)

    @property
    def tokens(self) -> list[list[str]]:
        """Each chunk's BM25 terms; searching never needs them, so they load on demand."""
        if self._tokens is None:
            with open(self.path / "tokens.jsonl", encoding="utf-8") as f:
                toks = [json.loads(line) for line in f]
            if len(toks) != len(self.chunks):
                raise IndexUnreadable("tokens.jsonl does not match the chunk table")
            self._tokens = toks
        return self._tokens

    @property
    def has_notes(self) -> bool:
        return self._notes is not None or (self.path is not None and (self.path / "notes.jsonl").is_file())

    def notes(self) -> list[Note]:
        """The indexed notes' text as extracted at build time (PDFs are not read again)."""
        if self._notes is not None:
            return self._notes

        def load() -> list[Note]:
            with open(self.path / "notes.jsonl", encoding="utf-8") as f:
                rows = [json.loads(line) for line in f]
            return [Note(r["source"], r["text"], r["sha256"], r["encoding"], tuple(r["pages"]),
                         ocr_pages=tuple(r.get("ocr_pages", ()))) for r in rows]

        return self.memo("retriever:notes", load)

    def memo(self, key: str, factory: Callable[[], T]) -> T:
        """The value derived from this generation under `key`, computed once."""
        with self._memo_lock:
            if key in self._memo:
                return self._memo[key]
        value = factory()  # outside the lock: factories may be slow or use memo themselves
        with self._memo_lock:
            return self._memo.setdefault(key, value)

    @property
    def bigram_bm25(self) -> BM25Index:
        """BM25 over each chunk's spacing-free character bigrams (the second keyword field)."""
        def load() -> BM25Index:
            folder = self.path / BIGRAM_DIR if self.path is not None else None
            if folder is not None and folder.is_dir():
                return BM25Index.load(folder, len(self.chunks))
            return build_bigram_bm25(self.chunks)

        return self.memo("retriever:bigram-bm25", load)

    def term_stats(self) -> TermStats:
        """IDF of every indexed term (computed once per generation)."""
        return self.memo("retriever:term-stats", lambda: TermStats.from_documents(self.tokens))


def build_bigram_bm25(chunks: list[Chunk]) -> BM25Index:
    return BM25Index.build([char_bigrams(c.indexed_text) for c in chunks])


def same_scan(refs: list, scan_skipped: list[Skipped], manifest: dict) -> bool:
    """The scanned corpus (hashes only) is what the manifest was built from: the same indexed
    files with the same bytes, and the same files skipped."""
    skipped = manifest.get("skipped", [])
    expected = {p: f["sha256"] for p, f in manifest.get("files", {}).items()}
    expected.update({x["path"]: x["sha256"] for x in skipped if x.get("sha256")})
    unhashed = {x["path"] for x in skipped if not x.get("sha256")}
    return {r.source: r.sha256 for r in refs} == expected and {s.path for s in scan_skipped} == unhashed


@contextmanager
def index_lock(index_dir: Path) -> Iterator[None]:
    """Serialise writers of one index folder across processes."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def current_generation(index_dir: Path) -> Path | None:
    try:
        name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    if not name or "/" in name or name.startswith("."):
        return None
    return index_dir / name


def read_manifest(index_dir: Path) -> dict | None:
    gen = current_generation(index_dir)
    if gen is None:
        return None
    try:
        return json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def load_index(index_dir: str | os.PathLike) -> LoadedIndex:
    """Load the live generation; raises IndexUnreadable with a one-line reason."""
    index_dir = Path(index_dir)
    for _ in range(3):
        gen = current_generation(index_dir)
        if gen is None:
            raise IndexUnreadable("no index yet")
        try:
            return _load_generation(gen)
        except IndexUnreadable:
            # Another process may have swapped in a newer generation and swept this one
            # while we read it: then CURRENT has moved on and we simply read the new one.
            if current_generation(index_dir) == gen:
                raise
    raise IndexUnreadable("the index kept changing while being read")


def _load_generation(gen: Path) -> LoadedIndex:
    try:
        manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format") not in READABLE_FORMATS:
            raise IndexUnreadable(f"index format {manifest.get('format')} != {FORMAT_VERSION}")
        chunks: list[Chunk] = []
        with open(gen / "chunks.jsonl", encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                chunks.append(Chunk(row["source"], row["heading"], tuple(row["lines"]), row["text"], row["id"],
                                    row.get("page"), row.get("section", ""), ocr=bool(row.get("ocr", False))))
        n = len(chunks)
        if n != manifest["counts"]["chunks"] or [c.id for c in chunks] != manifest["chunk_ids"]:
            raise IndexUnreadable("chunk table does not match the manifest")
        vectors = np.load(gen / "vectors.npy", allow_pickle=False)
        if vectors.shape != (n, manifest["embedder"]["dim"]) or vectors.dtype != np.float32:
            raise IndexUnreadable(f"vectors.npy has shape {vectors.shape}, expected ({n}, {manifest['embedder']['dim']})")
        ann = ANN.load(gen / "dense.faiss", manifest["ann"]["kind"])
        if len(ann) != n:
            raise IndexUnreadable("FAISS index size does not match the chunk table")
        bm25 = BM25Index.load(gen / "bm25", n)
        if not (gen / "tokens.jsonl").is_file():
            raise IndexUnreadable("tokens.jsonl is missing")
    except IndexUnreadable:
        raise
    except Exception as exc:  # corrupt files surface as many exception types
        raise IndexUnreadable(f"index at {gen} is unreadable ({type(exc).__name__}: {exc})") from exc
    return LoadedIndex(gen, manifest, chunks, vectors, ann, bm25)
