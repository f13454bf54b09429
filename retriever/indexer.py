"""Building and updating the index of one corpus folder (see `store.py` for the layout).

Incremental: unchanged files keep their chunks, and every chunk whose text is unchanged keeps
its vector (content hashes), so an unchanged corpus embeds nothing. Atomic: a build writes a
new generation beside the live one and then swaps CURRENT.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import numpy as np

from . import chunking
from . import tokenizer as tokenizer_mod
from .ann import make_ann
from .bm25 import PARAMS as BM25_PARAMS
from .bm25 import BM25Index
from .calibration import build_entry, needs_recalibration
from .chunking import ChunkerConfig, chunk_note
from .embeddings import Embedder
from .fusion import FusionConfig
from .fsutil import fsync_dir, fsync_file
from .loader import FileRef, read_note, scan
from .store import (BIGRAM_DIR, CURRENT, FORMAT_VERSION, READABLE_FORMATS, BuildReport, IndexUnreadable,
                    embedder_report,
                    LoadedIndex, build_bigram_bm25, current_generation, index_lock, load_index, read_manifest,
                    same_scan)
from .tokenizer import KiwiTokenizer
from .types import Chunk, Note, Skipped

TOKENIZER_VERSION = 2

Reporter = Callable[[str], None]
KeywordReady = Callable[[LoadedIndex], None]  # gets the in-memory keyword-only index of a build
EmbedProgress = Callable[[int, int], None]  # (chunks embedded, chunks to embed)


@functools.lru_cache(maxsize=None)
def _source_hash(module) -> str:
    return hashlib.sha256(Path(module.__file__).read_bytes()).hexdigest()[:16]


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


def _uncalibrated(manifest: dict) -> bool:
    """An index from before the calibration (or of another calibration version): the next
    update measures it, reusing everything else."""
    return needs_recalibration(manifest.get("calibration"), manifest.get("chunk_ids", []))


@dataclass
class _Plan:
    """What an update found: the new chunk table, and what it can take from the old index."""

    chunks: list[Chunk]
    file_meta: dict[str, dict]
    removed: int


class Indexer:
    """Builds and updates the index of one corpus folder in one index folder."""

    def __init__(self, corpus_dir: str | os.PathLike, index_dir: str | os.PathLike,
                 embedder: Embedder, tokenizer: KiwiTokenizer | None = None,
                 chunker: ChunkerConfig = ChunkerConfig(), ann_kind: str | None = None,
                 fusion: FusionConfig = FusionConfig()) -> None:
        self.fusion = fusion  # what the calibration's probes search with (pool, bigram field)
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
        if manifest.get("format") not in READABLE_FORMATS:
            return False, False, f"index format {manifest.get('format')} is not {FORMAT_VERSION}"
        if manifest.get("embedder", {}).get("id") != self.embedder.id:
            return False, False, (f"index was built with embedder {manifest.get('embedder', {}).get('id')}, "
                                  f"now {self.embedder.id}")
        same = manifest.get("format") == FORMAT_VERSION and all(
            manifest.get(k) == v for k, v in self._settings().items())
        return True, same, "" if same else "chunker/tokenizer settings changed"

    def is_current(self) -> bool:
        """True when the live index matches the corpus files and these settings (files are
        only hashed, never read through their readers)."""
        manifest = read_manifest(self.index_dir)
        _, same, _ = self._compatible(manifest)
        if not same or _uncalibrated(manifest):
            return False
        return same_scan(*scan(self.corpus_dir), manifest)

    def update(self, rebuild: bool = False, progress: bool = False, report: Reporter | None = None,
               on_keyword_ready: KeywordReady | None = None,
               on_embed: EmbedProgress | None = None, background: bool = False) -> BuildReport:
        """Bring the index up to date with the corpus; returns what was done.
        `background`: the build runs beside a server (the embedder leaves it a core).

        When chunks must be embedded, `on_keyword_ready` first gets the new chunk table with
        its BM25 index in memory (no vectors yet), so keyword search can serve at once while
        `on_embed` follows the embedding."""
        say = report or (lambda msg: None)
        t0 = time.perf_counter()
        refs, scan_skipped = scan(self.corpus_dir)
        with index_lock(self.index_dir):
            old, reason = self._load_previous(rebuild, say)
            reuse_vectors, reuse_chunks, why = self._compatible(old.manifest if old else None)
            if old is not None and not reuse_vectors:
                say(f"색인을 새로 만듭니다 (rebuilding index): {why}")
                reason = why
            if (old is not None and reuse_chunks and same_scan(refs, scan_skipped, old.manifest)
                    and not _uncalibrated(old.manifest)):
                rep = BuildReport(files=len(old.manifest.get("files", {})), chunks=len(old.chunks),
                                  reused=len(old.chunks), rebuilt_reason=reason, index=old,
                                  embedder=embedder_report(old.manifest.get("embedder", {})),
                                  calibration=old.manifest.get("calibration", {}),
                                  skipped=[Skipped(x["path"], x["reason"]) for x in old.manifest.get("skipped", [])])
                rep.seconds = time.perf_counter() - t0
                return rep
            notes, skipped = self._read(refs, scan_skipped, old if reuse_chunks else None, say)
            rep = BuildReport(files=len(notes), skipped=skipped, rebuilt_reason=reason)
            plan = self._plan(notes, old, reuse_chunks)
            old_rows = self._old_rows(old if reuse_vectors else None)
            tokens = self._tokens(plan.chunks, old, old_rows, reuse_chunks)
            if on_keyword_ready is not None and any(c.id not in old_rows for c in plan.chunks):
                on_keyword_ready(LoadedIndex(None, self._manifest(plan, notes, skipped, refs), plan.chunks,
                                             None, None, BM25Index.build(tokens), tokens, notes))
            vectors, embedded = self._vectors(plan.chunks, old, old_rows, progress, say, on_embed, background)
            rep.removed = plan.removed
            rep.chunks, rep.embedded = len(plan.chunks), embedded
            rep.reused = len(plan.chunks) - embedded
            manifest = self._manifest(plan, notes, skipped, refs, old if reuse_vectors else None)
            rep.embedder = embedder_report(manifest["embedder"])
            generation = LoadedIndex(None, manifest, plan.chunks, vectors, None, BM25Index.build(tokens), tokens, notes)
            manifest["calibration"] = build_entry(old.manifest.get("calibration") if old and reuse_vectors else None,
                                                  generation, self.embedder, self.tokenizer, self.fusion, say)
            rep.calibration = manifest["calibration"]
            self._write_generation(plan.chunks, tokens, vectors, manifest, t0, notes)
            rep.changed = True
            rep.seconds = time.perf_counter() - t0
            return rep

    def _load_previous(self, rebuild: bool, say: Reporter) -> tuple[LoadedIndex | None, str]:
        if rebuild or current_generation(self.index_dir) is None:
            return None, ""
        try:
            return load_index(self.index_dir), ""
        except IndexUnreadable as exc:
            say(f"색인을 읽을 수 없어 새로 만듭니다 (index unreadable, rebuilding): {exc}")
            return None, str(exc)

    def _read(self, refs: list[FileRef], scan_skipped: list[Skipped], old: LoadedIndex | None,
              say: Reporter) -> tuple[list[Note], list[Skipped]]:
        """The notes' text: files unchanged since the old index are taken from it (a PDF is not
        extracted again), the others are read through their format's reader."""
        old_files = old.manifest.get("files", {}) if old else {}
        old_notes = {n.source: n for n in old.notes()} if old is not None and old.has_notes else {}
        old_skips = {x["path"]: x for x in old.manifest.get("skipped", [])} if old else {}
        notes: list[Note] = []
        skipped = list(scan_skipped)
        for ref in refs:
            prev, gone = old_files.get(ref.source), old_skips.get(ref.source)
            if prev and prev.get("sha256") == ref.sha256 and ref.source in old_notes:
                notes.append(old_notes[ref.source])
            elif gone and gone.get("sha256") == ref.sha256:
                skipped.append(Skipped(ref.source, gone["reason"]))
            else:
                if ref.size > 2_000_000:
                    say(f"읽는 중 (reading) {ref.source} ({ref.size / 1e6:.1f} MB)…")
                item = read_note(ref)
                (skipped if isinstance(item, Skipped) else notes).append(item)
        skipped.sort(key=lambda x: x.path)
        return notes, skipped

    def _plan(self, notes: list[Note], old: LoadedIndex | None, reuse_chunks: bool) -> _Plan:
        """Chunk the corpus: unchanged files keep their old chunks; others are re-chunked."""
        old_files = old.manifest.get("files", {}) if old else {}
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
                cs = chunk_note(note.source, note.text, self.chunker, self.tokenizer.split_sentences,
                                note.pages)
            chunks.extend(cs)
            file_meta[note.source] = {"sha256": note.sha256, "encoding": note.encoding,
                                      "chunks": len(cs), "chars": len(note.text), "pages": len(note.pages)}
        return _Plan(chunks, file_meta, len(set(old_files) - set(file_meta)))

    @staticmethod
    def _old_rows(old: LoadedIndex | None) -> dict[str, int]:
        """Chunk id → row in the old index, for reuse by content hash (empty: nothing reusable)."""
        rows: dict[str, int] = {}
        if old is not None and old.vectors is not None:
            for i, c in enumerate(old.chunks):
                rows.setdefault(c.id, i)
        return rows

    def _tokens(self, chunks: list[Chunk], old: LoadedIndex | None, old_rows: dict[str, int],
                reuse: bool) -> list[list[str]]:
        """BM25 terms of every chunk: the old index's for unchanged chunks when `reuse`."""
        tokens: list[list[str]] = [[] for _ in chunks]
        need = []
        for i, c in enumerate(chunks):
            j = old_rows.get(c.id)
            if reuse and j is not None and old is not None:
                tokens[i] = old.tokens[j]
            else:
                need.append(i)
        if need:
            for i, toks in zip(need, self.tokenizer.tokenize_many([chunks[i].indexed_text for i in need])):
                tokens[i] = toks
        return tokens

    def _vectors(self, chunks: list[Chunk], old: LoadedIndex | None, old_rows: dict[str, int],
                 progress: bool, say: Reporter, on_embed: EmbedProgress | None,
                 background: bool = False) -> tuple[np.ndarray, int]:
        """Vectors of every chunk: the old index's by content hash, the rest embedded now."""
        vectors = np.zeros((len(chunks), self.embedder.dim), dtype=np.float32)
        need = []
        for i, c in enumerate(chunks):
            j = old_rows.get(c.id)
            if j is not None and old is not None and old.vectors is not None:
                vectors[i] = old.vectors[j]
            else:
                need.append(i)
        if need:
            self.embedder.prepare_passages()  # a model made or loaded first says so first
            say(f"{len(need)}개 청크 임베딩 중 (embedding {len(need)} chunks)…")
            vectors[need] = self.embedder.embed_passages([chunks[i].indexed_text for i in need],
                                                         progress=progress, on_batch=on_embed,
                                                         background=background)
        return vectors, len(need)

    def _manifest(self, plan: _Plan, notes: list[Note], skipped: list[Skipped], refs: list[FileRef],
                  old: LoadedIndex | None = None) -> dict:
        hashes = {r.source: r.sha256 for r in refs}
        return {
            "format": FORMAT_VERSION,
            "embedder": self._embedder_entry(old),
            **self._settings(),
            "ann": {"kind": None},
            "corpus": str(self.corpus_dir.resolve()),
            "files": plan.file_meta,
            "chunk_ids": [c.id for c in plan.chunks],
            "counts": {"files": len(notes), "chunks": len(plan.chunks), "skipped": len(skipped)},
            # a skipped file's hash (when it could be hashed) lets the next run skip it unread
            "skipped": [{"path": s.path, "reason": s.reason, "sha256": hashes.get(s.path)} for s in skipped],
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }

    def _embedder_entry(self, old: LoadedIndex | None) -> dict:
        """The embedder's id and dimension, and (e5fast) which path embedded and why; a build
        that embedded nothing keeps what the previous index said."""
        info = {k: v for k, v in self.embedder.describe().items() if v is not None and k != "id"}
        if "path" not in info and old is not None:
            prev = old.manifest.get("embedder", {})
            info = {k: prev[k] for k in ("path", "query_path", "why") if k in prev}
        return {"id": self.embedder.id, "dim": int(self.embedder.dim), **info}

    def _write_generation(self, chunks: list[Chunk], tokens: list[list[str]], vectors: np.ndarray,
                          manifest: dict, t0: float, notes: list[Note]) -> Path:
        name = f"gen-{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}-{os.getpid()}"
        tmp = self.index_dir / f".{name}.tmp"
        final = self.index_dir / name
        tmp.mkdir(parents=True)
        try:
            with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as f:
                for c in chunks:
                    f.write(json.dumps({"id": c.id, "source": c.source, "heading": c.heading,
                                        "lines": list(c.lines), "text": c.text, "page": c.page,
                                        "section": c.section},
                                       ensure_ascii=False) + "\n")
            with open(tmp / "notes.jsonl", "w", encoding="utf-8") as f:
                for n in notes:
                    f.write(json.dumps({"source": n.source, "sha256": n.sha256, "encoding": n.encoding,
                                        "pages": list(n.pages), "text": n.text}, ensure_ascii=False) + "\n")
            with open(tmp / "tokens.jsonl", "w", encoding="utf-8") as f:
                for toks in tokens:
                    f.write(json.dumps(toks, ensure_ascii=False) + "\n")
            np.save(tmp / "vectors.npy", vectors, allow_pickle=False)
            ann = make_ann(vectors, self.ann_kind)
            ann.save(tmp / "dense.faiss")
            BM25Index.build(tokens).save(tmp / "bm25")
            build_bigram_bm25(chunks).save(tmp / BIGRAM_DIR)
            manifest["ann"] = {"kind": ann.kind}
            manifest["build_seconds"] = round(time.perf_counter() - t0, 3)
            _write_json(tmp / "manifest.json", manifest)
            _fsync_tree(tmp)
            os.replace(tmp, final)
            previous = current_generation(self.index_dir)
            pointer = self.index_dir / f".{CURRENT}.tmp"
            pointer.write_text(name + "\n", encoding="utf-8")
            fsync_file(pointer)
            os.replace(pointer, self.index_dir / CURRENT)  # the commit point
            fsync_dir(self.index_dir)
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
