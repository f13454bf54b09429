"""The persisted index: build, incremental update, atomic swap, load.

Layout of the index folder::

    CURRENT                  name of the live generation (replaced atomically)
    gen-<time>-<pid>/        one complete, self-contained generation
        manifest.json        format, embedder, chunker, per-file and per-chunk hashes, counts
        chunks.jsonl         the chunk table, one JSON object per line
        tokens.jsonl         each chunk's BM25 terms (loaded on demand, not for searching)
        vectors.npy          float32 embeddings, row i = chunk i (allow_pickle=False)
        dense.faiss          FAISS index over vectors.npy
        bm25/                bm25s arrays (.npy) and vocabulary (JSON)

A build writes a new generation beside the live one and then swaps CURRENT, so a crash
at any point leaves the previous generation live. Nothing here uses pickle.
"""
from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import logging
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from . import chunking
from . import tokenizer as tokenizer_mod
from .ann import ANN, make_ann
from .bm25 import PARAMS as BM25_PARAMS
from .bm25 import BM25Index
from .chunking import ChunkerConfig, chunk_note
from .embeddings import Embedder
from .loader import load_corpus
from .tokenizer import KiwiTokenizer
from .types import Chunk, Note, Skipped

log = logging.getLogger(__name__)

FORMAT_VERSION = 2
TOKENIZER_VERSION = 2
CURRENT = "CURRENT"

Reporter = Callable[[str], None]


class IndexError_(RuntimeError):
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
    # the live index as loaded for the check, when nothing had to change (saves a reload)
    index: "LoadedIndex | None" = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict:
        return {
            "files": self.files, "chunks": self.chunks, "embedded": self.embedded,
            "reused": self.reused, "removed": self.removed, "seconds": round(self.seconds, 3),
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
        }


@dataclass
class LoadedIndex:
    """A generation loaded in memory, read-only once built."""

    path: Path
    manifest: dict
    chunks: list[Chunk]
    vectors: np.ndarray
    ann: ANN
    bm25: BM25Index
    _tokens: list[list[str]] | None = None

    @property
    def embedder_id(self) -> str:
        return self.manifest["embedder"]["id"]

    @property
    def tokens(self) -> list[list[str]]:
        """Each chunk's BM25 terms; searching never needs them, so they load on demand."""
        if self._tokens is None:
            with open(self.path / "tokens.jsonl", encoding="utf-8") as f:
                toks = [json.loads(line) for line in f]
            if len(toks) != len(self.chunks):
                raise IndexError_("tokens.jsonl does not match the chunk table")
            self._tokens = toks
        return self._tokens


# -- small file helpers -------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _source_hash(module) -> str:
    return hashlib.sha256(Path(module.__file__).read_bytes()).hexdigest()[:16]


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_json(path: Path, obj) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
        f.flush()
        os.fsync(f.fileno())


def _fsync_tree(root: Path) -> None:
    for dirpath, _, files in os.walk(root):
        for name in files:
            with open(Path(dirpath) / name, "rb") as f:
                os.fsync(f.fileno())
        _fsync_dir(Path(dirpath))


def _same_files(notes: list[Note], manifest: dict) -> bool:
    """The corpus holds exactly the files the manifest indexed, with the same contents."""
    return {n.source: n.sha256 for n in notes} == {
        p: f["sha256"] for p, f in manifest.get("files", {}).items()}


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
    """Load the live generation; raises IndexError_ with a one-line reason."""
    index_dir = Path(index_dir)
    for _ in range(3):
        gen = current_generation(index_dir)
        if gen is None:
            raise IndexError_("no index yet")
        try:
            return _load_generation(gen)
        except IndexError_:
            # Another process may have swapped in a newer generation and swept this one
            # while we read it: then CURRENT has moved on and we simply read the new one.
            if current_generation(index_dir) == gen:
                raise
    raise IndexError_("the index kept changing while being read")


def _load_generation(gen: Path) -> LoadedIndex:
    try:
        manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT_VERSION:
            raise IndexError_(f"index format {manifest.get('format')} != {FORMAT_VERSION}")
        chunks: list[Chunk] = []
        with open(gen / "chunks.jsonl", encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                chunks.append(Chunk(row["source"], row["heading"], tuple(row["lines"]), row["text"], row["id"]))
        n = len(chunks)
        if n != manifest["counts"]["chunks"] or [c.id for c in chunks] != manifest["chunk_ids"]:
            raise IndexError_("chunk table does not match the manifest")
        vectors = np.load(gen / "vectors.npy", allow_pickle=False)
        if vectors.shape != (n, manifest["embedder"]["dim"]) or vectors.dtype != np.float32:
            raise IndexError_(f"vectors.npy has shape {vectors.shape}, expected ({n}, {manifest['embedder']['dim']})")
        ann = ANN.load(gen / "dense.faiss", manifest["ann"]["kind"])
        if len(ann) != n:
            raise IndexError_("FAISS index size does not match the chunk table")
        bm25 = BM25Index.load(gen / "bm25", n)
        if not (gen / "tokens.jsonl").is_file():
            raise IndexError_("tokens.jsonl is missing")
    except IndexError_:
        raise
    except Exception as exc:  # corrupt files surface as many exception types
        raise IndexError_(f"index at {gen} is unreadable ({type(exc).__name__}: {exc})") from exc
    return LoadedIndex(gen, manifest, chunks, vectors, ann, bm25)


# -- building -----------------------------------------------------------------------------

class Indexer:
    """Builds and updates the index of one corpus folder in one index folder."""

    def __init__(self, corpus_dir: str | os.PathLike, index_dir: str | os.PathLike,
                 embedder: Embedder, tokenizer: KiwiTokenizer | None = None,
                 chunker: ChunkerConfig = ChunkerConfig(), ann_kind: str | None = None) -> None:
        self.corpus_dir = Path(corpus_dir)
        self.index_dir = Path(index_dir)
        self.embedder = embedder
        self.tokenizer = tokenizer or KiwiTokenizer()
        self.chunker = chunker
        self.ann_kind = ann_kind

    def _settings(self) -> dict:
        # The code hashes make any change to the chunker or tokenizer re-chunk and re-tokenize
        # (cheap); embeddings are still reused for every chunk whose text did not change.
        return {"chunker": {**self.chunker.to_dict(), "code": _source_hash(chunking)},
                "tokenizer": {"name": "kiwi-content-morphemes", "version": TOKENIZER_VERSION,
                              "code": _source_hash(tokenizer_mod)},
                "bm25": BM25_PARAMS}

    def _compatible(self, manifest: dict | None) -> tuple[bool, bool, str]:
        """(can reuse vectors, can reuse chunks+tokens, reason when not)."""
        if manifest is None:
            return False, False, ""
        if manifest.get("format") != FORMAT_VERSION:
            return False, False, f"index format {manifest.get('format')} is not {FORMAT_VERSION}"
        if manifest.get("embedder", {}).get("id") != self.embedder.id:
            return False, False, (f"index was built with embedder {manifest.get('embedder', {}).get('id')}, "
                                  f"now {self.embedder.id}")
        same = all(manifest.get(k) == v for k, v in self._settings().items())
        return True, same, "" if same else "chunker/tokenizer settings changed"

    def is_current(self, notes: list[Note] | None = None) -> bool:
        """True when the live index matches the corpus files and these settings."""
        manifest = read_manifest(self.index_dir)
        _, same, _ = self._compatible(manifest)
        if not same:
            return False
        if notes is None:
            notes, _ = load_corpus(self.corpus_dir)
        return _same_files(notes, manifest)

    def update(self, rebuild: bool = False, progress: bool = False,
               report: Reporter | None = None) -> BuildReport:
        """Bring the index up to date with the corpus; returns what was done."""
        say = report or (lambda msg: None)
        t0 = time.perf_counter()
        notes, skipped = load_corpus(self.corpus_dir)
        with index_lock(self.index_dir):
            old: LoadedIndex | None = None
            reason = ""
            if not rebuild and current_generation(self.index_dir) is not None:
                try:
                    old = load_index(self.index_dir)
                except IndexError_ as exc:
                    reason = str(exc)
                    say(f"색인을 읽을 수 없어 새로 만듭니다 (index unreadable, rebuilding): {exc}")
            reuse_vectors, reuse_chunks, why = self._compatible(old.manifest if old else None)
            if old is not None and not reuse_vectors:
                say(f"색인을 새로 만듭니다 (rebuilding index): {why}")
                reason = why
            rep = BuildReport(files=len(notes), skipped=skipped, rebuilt_reason=reason)
            old_files = old.manifest.get("files", {}) if old else {}
            if old is not None and reuse_chunks and _same_files(notes, old.manifest):
                rep.chunks = rep.reused = len(old.chunks)
                rep.index = old
                rep.seconds = time.perf_counter() - t0
                return rep

            # Chunk: unchanged files keep their old chunks; others are re-chunked.
            old_by_file: dict[str, list[int]] = {}
            if old is not None and reuse_chunks:
                for i, c in enumerate(old.chunks):
                    old_by_file.setdefault(c.source, []).append(i)
            chunks: list[Chunk] = []
            file_meta: dict[str, dict] = {}
            for note in notes:
                prev = old_files.get(note.source)
                if prev and prev.get("sha256") == note.sha256 and note.source in old_by_file:
                    cs = [old.chunks[i] for i in old_by_file[note.source]]
                else:
                    cs = chunk_note(note.source, note.text, self.chunker, self.tokenizer.split_sentences)
                chunks.extend(cs)
                file_meta[note.source] = {"sha256": note.sha256, "encoding": note.encoding,
                                          "chunks": len(cs), "chars": len(note.text)}
            rep.removed = len(set(old_files) - set(file_meta))

            # Vectors and tokens: reuse by content hash.
            old_rows: dict[str, int] = {}
            if old is not None and reuse_vectors:
                for i, c in enumerate(old.chunks):
                    old_rows.setdefault(c.id, i)
            need_vec = [i for i, c in enumerate(chunks) if c.id not in old_rows]
            need_tok = need_vec if reuse_chunks else list(range(len(chunks)))
            vectors = np.zeros((len(chunks), self.embedder.dim), dtype=np.float32)
            tokens: list[list[str]] = [[] for _ in chunks]
            for i, c in enumerate(chunks):
                j = old_rows.get(c.id)
                if j is not None:
                    vectors[i] = old.vectors[j]
                    if reuse_chunks:
                        tokens[i] = old.tokens[j]
            if need_tok:
                for i, toks in zip(need_tok, self.tokenizer.tokenize_many([chunks[i].indexed_text for i in need_tok])):
                    tokens[i] = toks
            if need_vec:
                say(f"{len(need_vec)}개 청크 임베딩 중 (embedding {len(need_vec)} chunks)…")
                new = self.embedder.embed_passages([chunks[i].indexed_text for i in need_vec], progress=progress)
                vectors[need_vec] = new
            rep.chunks = len(chunks)
            rep.embedded = len(need_vec)
            rep.reused = len(chunks) - len(need_vec)

            manifest = {
                "format": FORMAT_VERSION,
                "embedder": {"id": self.embedder.id, "dim": int(self.embedder.dim)},
                **self._settings(),
                "ann": {"kind": None},
                "corpus": str(self.corpus_dir.resolve()),
                "files": file_meta,
                "chunk_ids": [c.id for c in chunks],
                "counts": {"files": len(notes), "chunks": len(chunks), "skipped": len(skipped)},
                "skipped": [{"path": s.path, "reason": s.reason} for s in skipped],
                "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            }
            self._write_generation(chunks, tokens, vectors, manifest, t0)
            rep.changed = True
            rep.seconds = time.perf_counter() - t0
            return rep

    def _write_generation(self, chunks: list[Chunk], tokens: list[list[str]], vectors: np.ndarray,
                          manifest: dict, t0: float) -> Path:
        name = f"gen-{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}-{os.getpid()}"
        tmp = self.index_dir / f".{name}.tmp"
        final = self.index_dir / name
        tmp.mkdir(parents=True)
        try:
            with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as f:
                for c in chunks:
                    f.write(json.dumps({"id": c.id, "source": c.source, "heading": c.heading,
                                        "lines": list(c.lines), "text": c.text}, ensure_ascii=False) + "\n")
            with open(tmp / "tokens.jsonl", "w", encoding="utf-8") as f:
                for toks in tokens:
                    f.write(json.dumps(toks, ensure_ascii=False) + "\n")
            np.save(tmp / "vectors.npy", vectors, allow_pickle=False)
            ann = make_ann(vectors, self.ann_kind)
            ann.save(tmp / "dense.faiss")
            BM25Index.build(tokens).save(tmp / "bm25")
            manifest["ann"] = {"kind": ann.kind}
            manifest["build_seconds"] = round(time.perf_counter() - t0, 3)
            _write_json(tmp / "manifest.json", manifest)
            _fsync_tree(tmp)
            os.replace(tmp, final)
            previous = current_generation(self.index_dir)
            pointer = self.index_dir / f".{CURRENT}.tmp"
            pointer.write_text(name + "\n", encoding="utf-8")
            with open(pointer, "rb") as f:
                os.fsync(f.fileno())
            os.replace(pointer, self.index_dir / CURRENT)  # the commit point
            _fsync_dir(self.index_dir)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        # The previous generation stays one more round: a reader that picked it up just
        # before the swap can finish loading it.
        self._collect_garbage(keep={name, previous.name if previous else name})
        return final

    def _collect_garbage(self, keep: set[str]) -> None:
        """Remove older generations and abandoned temporary folders."""
        for entry in self.index_dir.iterdir():
            if entry.name in keep or not entry.is_dir():
                continue
            if entry.name.startswith("gen-") or (entry.name.startswith(".gen-") and entry.name.endswith(".tmp")):
                shutil.rmtree(entry, ignore_errors=True)
