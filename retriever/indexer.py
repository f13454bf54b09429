"""Building and updating the index of one corpus folder (see `store.py` for the layout).

Incremental: unchanged files keep their chunks, and every unchanged chunk keeps its vector (content
hashes): an unchanged corpus embeds nothing. Atomic: a new generation is written, then CURRENT swapped.

Scanned pages (`retriever/ocr`) are read after everything else is published: the first generation
holds the text notes and every scanned page already recognised (cached in `ocr.jsonl` by page content),
and each batch of pages recognised after it is a further generation: searchable by keyword as they
finish. Their chunks' vectors wait until the last page is read (`vectors.py`): the passage model is
out of the process meanwhile (a child embeds before and after, `Embedder.passages_apart`).
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from . import chunking
from . import tokenizer as tokenizer_mod
from .bm25 import PARAMS as BM25_PARAMS, BM25Index
from .calibration import build_entry, uncalibrated as _uncalibrated
from .chunking import ChunkerConfig, chunk_note
from .code_hash import source_hash
from .embeddings import Embedder
from .fusion import FusionConfig
from .generation import write_generation
from .loader import FileRef, read_source, scan
from .ocr.config import OcrConfig
from .ocr.session import OcrProgress, OcrSession
from .store import (FORMAT_VERSION, READABLE_FORMATS, BuildReport, IndexUnreadable, LoadedIndex,
                    current_generation, embedder_report, index_lock, load_index, read_manifest, same_scan)
from .tokenizer import KiwiTokenizer
from .types import Chunk, Note, Skipped
from .vectors import PENDING, chunk_vectors, old_rows, pending_ids

TOKENIZER_VERSION = 3  # 3: units and currencies (NNB) kept as terms
# a build embedding this many chunks frees the passage path when done (issue 22); an edit's keeps it
RELEASE_AFTER = 256  # (a release and reload left ~7 MB more resident each time: measured)

Reporter = Callable[[str], None]
KeywordReady = Callable[[LoadedIndex], None]  # gets the in-memory keyword-only index of a build
EmbedProgress = Callable[[int, int], None]  # (chunks embedded, chunks to embed)
Published = Callable[[LoadedIndex], None]  # gets each generation published while scans are read


@dataclass
class _Build:
    """One update under way: where it started, what it may reuse, what it has done."""

    refs: list[FileRef]
    ocr: OcrSession
    old: LoadedIndex | None
    reuse_vectors: bool
    reuse_chunks: bool
    rep: BuildReport
    t0: float
    background: bool = False  # beside a server: the embedder leaves it a core
    defer: bool = False  # scanned pages are still to be read: their chunks' vectors wait
    apart: bool = False  # passages embedded by a child (the model never resident beside Tesseract)

    @property
    def more(self) -> bool:
        """This round's generation is not the build's last (it serves meanwhile)."""
        return self.defer or bool(self.ocr.jobs())


def ocr_report(manifest: dict) -> list[dict] | None:
    """Recognised pages under the confidence floor, when any indexed file has scanned pages."""
    metas = [(path, m["ocr"]) for path, m in sorted(manifest.get("files", {}).items()) if m.get("ocr")]
    if not metas:
        return None
    return [{"path": path, "page": page, "confidence": conf} for path, o in metas for page, conf in o.get("low", [])]


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
                 ocr: OcrConfig = OcrConfig(), fusion: FusionConfig = FusionConfig()) -> None:
        self.fusion = fusion  # what the calibration's probes search with (pool, bigram field)
        self.corpus_dir = Path(corpus_dir)
        self.index_dir = Path(index_dir)
        self.embedder = embedder
        self.tokenizer = tokenizer or KiwiTokenizer()
        self.chunker = chunker
        self.ann_kind = ann_kind
        self.ocr = ocr

    def _settings(self) -> dict:
        # The code hashes make any change to the chunker or tokenizer re-chunk and re-tokenize
        # (cheap); embeddings are still reused for every chunk whose text did not change.
        return {"chunker": {**self.chunker.to_dict(), "code": source_hash(chunking)},
                "tokenizer": {"name": "kiwi-content-morphemes", "version": TOKENIZER_VERSION,
                              "code": source_hash(tokenizer_mod)},
                "bm25": BM25_PARAMS, "ocr": self.ocr.text_settings()}

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
        only hashed, never read through their readers) and no scanned page is left to read."""
        manifest = read_manifest(self.index_dir)
        _, same, _ = self._compatible(manifest)
        if not same or _uncalibrated(manifest) or pending_ids(manifest):
            return False
        if not same_scan(*scan(self.corpus_dir), manifest):
            return False
        return not OcrSession(self.ocr, self.index_dir).outstanding(manifest)

    def update(self, rebuild: bool = False, progress: bool = False, report: Reporter | None = None,
               on_keyword_ready: KeywordReady | None = None, on_embed: EmbedProgress | None = None,
               on_ocr: OcrProgress | None = None, on_published: Published | None = None,
               background: bool = False) -> BuildReport:
        """Bring the index up to date with the corpus; returns what was done.
        `background`: the build runs beside a server (the embedder leaves it a core).

        When chunks must be embedded, `on_keyword_ready` first gets the new chunk table with
        its BM25 index in memory (no vectors yet), so keyword search can serve at once while
        `on_embed` follows the embedding. Scanned pages not recognised before are read after
        that (`on_ocr` follows them); every generation published while they are read goes,
        loaded, to `on_published`."""
        say = report or (lambda msg: None)
        t0 = time.perf_counter()
        refs, scan_skipped = scan(self.corpus_dir)
        with index_lock(self.index_dir):
            old, reason = self._load_previous(rebuild, say)
            reuse_vectors, reuse_chunks, why = self._compatible(old.manifest if old else None)
            if old is not None and not reuse_vectors:
                say(f"색인을 새로 만듭니다 (rebuilding index): {why}")
                reason = why
            ocr = OcrSession(self.ocr, self.index_dir, progress=progress, on_progress=on_ocr)
            if (old is not None and reuse_chunks and same_scan(refs, scan_skipped, old.manifest)
                    and not ocr.outstanding(old.manifest) and not _uncalibrated(old.manifest)
                    and not pending_ids(old.manifest)):
                rep = BuildReport(files=len(old.manifest.get("files", {})), chunks=len(old.chunks),
                                  reused=len(old.chunks), rebuilt_reason=reason, index=old,
                                  embedder=embedder_report(old.manifest.get("embedder", {})),
                                  calibration=old.manifest.get("calibration", {}),
                                  skipped=[Skipped(x["path"], x["reason"]) for x in old.manifest.get("skipped", [])],
                                  ocr=ocr_report(old.manifest))
                rep.seconds = time.perf_counter() - t0
                return rep
            notes, skipped = self._read(refs, scan_skipped, old if reuse_chunks else None, say, ocr)
            b = _Build(refs, ocr, old, reuse_vectors, reuse_chunks, BuildReport(rebuilt_reason=reason), t0,
                       background)
            if ocr.jobs():
                self._scanned_build(b, notes, skipped, progress, say, on_keyword_ready, on_embed, on_published)
            else:
                self._round(b, notes, skipped, progress, say, on_keyword_ready, on_embed, on_published)
            rep = b.rep
            rep.reused = max(0, rep.chunks - rep.embedded)
            rep.recognised = ocr.recognised
            rep.seconds = time.perf_counter() - t0
            return rep

    def _scanned_build(self, b: _Build, notes: list[Note], skipped: list[Skipped], progress: bool, say: Reporter,
                       on_keyword_ready: KeywordReady | None, on_embed: EmbedProgress | None,
                       on_published: Published | None) -> None:
        """A build with pages to recognise: the text notes embedded (by a child) and published,
        the pages read while the generations published carry their chunks with vectors pending,
        then those chunks embedded (by a child again) and the last generation written."""
        b.defer = b.apart = True
        self._round(b, notes, skipped, progress, say, on_keyword_ready, on_embed, on_published)
        say(f"스캔 페이지 {len(b.ocr.jobs())}쪽을 인식합니다 (OCR)…")
        b.ocr.recognise(lambda: self._round(b, notes, skipped, False, lambda m: None, None, None, on_published))
        b.defer = False
        self._round(b, notes, skipped, progress, say, None, on_embed, on_published)

    def _round(self, b: _Build, base: list[Note], base_skipped: list[Skipped], progress: bool, say: Reporter,
               on_keyword_ready: KeywordReady | None, on_embed: EmbedProgress | None,
               on_published: Published | None) -> None:
        """Write one generation: the notes with every scanned page recognised so far."""
        notes, skipped = b.ocr.assemble(base, base_skipped)
        plan, old = self._plan(notes, b.old, b.reuse_chunks, b.ocr), (b.old if b.reuse_vectors else None)
        rows = old_rows(old)
        tokens = self._tokens(plan.chunks, b.old, rows, b.reuse_chunks)
        manifest = self._manifest(plan, notes, skipped, b.refs, b.ocr, old)
        bm25 = BM25Index.build(tokens)  # one per round: the keyword index served now, calibrated and written
        if on_keyword_ready is not None and any(c.id not in rows for c in plan.chunks):
            on_keyword_ready(LoadedIndex(None, manifest, plan.chunks, None, None, bm25, tokens, notes))
        vectors, embedded, pending = chunk_vectors(self.embedder, plan.chunks, old, rows, b.defer, say, progress,
                                                   on_embed, b.background, b.apart)
        manifest["embedder"] = self._embedder_entry(old)  # a first build's path is known once it has run
        if b.rep.embedded + embedded >= RELEASE_AFTER and not b.more:  # a large build's last round
            self.embedder.release_passages()
        generation = LoadedIndex(None, manifest, plan.chunks, vectors, None, bm25, tokens, notes)
        previous = old.manifest if old is not None else None
        if pending:  # measured once the vectors are all there; the last measure (if any) serves meanwhile
            manifest[PENDING] = pending
            manifest["calibration"] = {**(previous or {}).get("calibration", {"skipped": "vectors pending"}),
                                       "reused": True}
        else:
            manifest["calibration"] = build_entry(previous, generation, self.embedder, self.tokenizer,
                                                  self.fusion, say)
        self._write_generation(generation, manifest, b.t0, notes, b.ocr)
        rep = b.rep
        rep.files, rep.skipped, rep.chunks = len(notes), skipped, len(plan.chunks)
        rep.embedded += embedded
        if not rep.changed:  # files gone since the index this update started from
            rep.removed = plan.removed
        rep.ocr, rep.changed, rep.calibration = ocr_report(manifest), True, manifest["calibration"]
        rep.embedder, rep.vectors_pending = embedder_report(manifest["embedder"]), len(pending)
        if b.more:  # more pages (or their vectors) to come: this generation serves meanwhile, and is the next base
            b.old, b.reuse_vectors, b.reuse_chunks = load_index(self.index_dir), True, True
            if on_published is not None:
                on_published(b.old)

    def _load_previous(self, rebuild: bool, say: Reporter) -> tuple[LoadedIndex | None, str]:
        if rebuild or current_generation(self.index_dir) is None:
            return None, ""
        try:
            return load_index(self.index_dir), ""
        except IndexUnreadable as exc:
            say(f"색인을 읽을 수 없어 새로 만듭니다 (index unreadable, rebuilding): {exc}")
            return None, str(exc)

    def _read(self, refs: list[FileRef], scan_skipped: list[Skipped], old: LoadedIndex | None,
              say: Reporter, ocr: OcrSession) -> tuple[list[Note], list[Skipped]]:
        """The notes' text: files unchanged since the old index are taken from it (a PDF is not
        extracted again), the others are read through their format's reader; their scanned
        pages go to `ocr`, which fills them in (`OcrSession.assemble`)."""
        old_files = old.manifest.get("files", {}) if old else {}
        old_notes = {n.source: n for n in old.notes()} if old is not None and old.has_notes else {}
        old_skips = {x["path"]: x for x in old.manifest.get("skipped", [])} if old else {}
        notes: list[Note] = []
        skipped = list(scan_skipped)
        for ref in refs:
            prev, gone = old_files.get(ref.source), old_skips.get(ref.source)
            if prev and prev.get("sha256") == ref.sha256 and ref.source in old_notes and ocr.reusable(prev):
                notes.append(old_notes[ref.source])
                ocr.carry(ref.source, prev)
            elif not prev and gone and gone.get("sha256") == ref.sha256 and not ocr.retry_skipped(gone):
                skipped.append(Skipped(ref.source, gone["reason"]))
            else:
                if ref.size > 2_000_000:
                    say(f"읽는 중 (reading) {ref.source} ({ref.size / 1e6:.1f} MB)…")
                item = read_source(ref)
                if isinstance(item, Skipped):
                    skipped.append(item)
                    continue
                note, scans = item
                if scans:
                    ocr.add(ref, note, scans)
                notes.append(note)
        skipped.sort(key=lambda x: x.path)
        return notes, skipped

    def _plan(self, notes: list[Note], old: LoadedIndex | None, reuse_chunks: bool, ocr: OcrSession) -> _Plan:
        """Chunk the corpus: unchanged files keep their old chunks; others are re-chunked (a
        file with newly recognised pages too); chunks of recognised pages are marked `ocr`."""
        old_files = old.manifest.get("files", {}) if old else {}
        old_by_file: dict[str, list[int]] = {}
        if old is not None and reuse_chunks:
            for i, c in enumerate(old.chunks):
                old_by_file.setdefault(c.source, []).append(i)
        chunks: list[Chunk] = []
        file_meta: dict[str, dict] = {}
        def kept(note: Note, prev: dict | None) -> bool:  # unchanged: it keeps its old chunks
            return bool(prev and prev.get("sha256") == note.sha256 and note.source in old_by_file
                        and (prev.get("ocr") or {}).get("recognised", []) == list(note.ocr_pages))

        presplit = getattr(self.tokenizer, "presplit", lambda lines: self.tokenizer.split_sentences)
        splitter = presplit([line for note in notes if not kept(note, old_files.get(note.source))
                             for line in chunking.split_candidates(note.text, self.chunker)])  # at once
        for note in notes:
            prev = old_files.get(note.source)
            if kept(note, prev):
                cs = [old.chunks[i] for i in old_by_file[note.source]]
            else:
                cs = chunk_note(note.source, note.text, self.chunker, splitter, note.pages)
                cs = [replace(c, ocr=True) if c.page in note.ocr_pages else c for c in cs]
            chunks.extend(cs)
            file_meta[note.source] = {"sha256": note.sha256, "encoding": note.encoding,
                                      "chunks": len(cs), "chars": len(note.text), "pages": len(note.pages)}
            if (scanned := ocr.file_meta(note)) is not None:
                file_meta[note.source]["ocr"] = scanned
        return _Plan(chunks, file_meta, len(set(old_files) - set(file_meta)))

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

    def _manifest(self, plan: _Plan, notes: list[Note], skipped: list[Skipped], refs: list[FileRef],
                  ocr: OcrSession, old: LoadedIndex | None = None) -> dict:
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
            # a skipped file's hash (when it could be hashed) lets the next run skip it unread;
            # "ocr": it waits for Tesseract, and is read again once Tesseract is there
            "skipped": [{"path": s.path, "reason": s.reason, "sha256": hashes.get(s.path),
                         **({"ocr": True} if ocr.retryable(s.path) else {})} for s in skipped],
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

    def _write_generation(self, gen: LoadedIndex, manifest: dict, t0: float, notes: list[Note], ocr: OcrSession) -> Path:
        return write_generation(self.index_dir, gen.chunks, gen.tokens, gen.vectors, manifest, t0, notes,
                                self.ann_kind, extra=lambda tmp: ocr.cache.save(tmp, ocr.keys_in_use(manifest["files"])),
                                bm25=gen.bm25, bigram=gen.bigram_bm25)
