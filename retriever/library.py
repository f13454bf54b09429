"""`NotesLibrary`: one corpus + its index + a live searcher, the object callers hold.

`refresh()` updates the index on disk and swaps in a new searcher in one assignment, so
searches running in other threads keep the old one until they finish. A first build is
progressive: as soon as the notes are chunked and tokenised a keyword-only searcher serves
(semantic and hybrid switch on when the vectors are written), and scanned pages join as their
OCR finishes (`status.ocr_done` of `status.ocr_total`); `start_refresh()` runs a build in the
background and `status` tells how far it is.
"""
from __future__ import annotations

import os
from pathlib import Path
import threading
from dataclasses import dataclass, replace
from threading import Lock
from contextlib import contextmanager
from typing import Callable, Iterator, Sequence, TypeVar

import numpy as np

from .chunking import ChunkerConfig
from .embeddings import Embedder
from .indexer import Indexer, Reporter
from .loader import load_corpus
from .calibration import Calibration
from .fusion import FusionConfig, Weights
from e5fast.heap import trim_heap
from .ocr.config import OcrConfig
from .search import Searcher
from .store import BuildReport, IndexUnreadable, load_index, read_manifest
from .structure import NotesStructure, parse_notes
from .terms import TermStats
from .tokenizer import KiwiTokenizer, Tokenizer
from .types import Hit, Note

T = TypeVar("T")


@dataclass(frozen=True)
class BuildStatus:
    """Where the library's index build stands (for progress shown to people)."""

    building: bool = False
    embedded: int = 0  # chunks embedded so far in this build
    to_embed: int = 0  # chunks this build embeds
    error: str = ""  # the last build's failure, one line
    ocr_done: int = 0  # scanned pages recognised (OCR) so far in this build
    ocr_total: int = 0  # scanned pages this build recognises (those read before are cached)

    @property
    def ocr_running(self) -> bool:
        """Scanned pages are being read: results from them keep arriving meanwhile."""
        return self.building and self.ocr_done < self.ocr_total

    @property
    def fraction(self) -> float:
        return self.embedded / self.to_embed if self.to_embed else (0.0 if self.building else 1.0)


class NotesLibrary:
    def __init__(self, corpus_dir: str | os.PathLike, index_dir: str | os.PathLike,
                 embedder: Embedder, tokenizer: Tokenizer | None = None,
                 chunker: ChunkerConfig = ChunkerConfig(), fusion: FusionConfig = FusionConfig(),
                 ocr: OcrConfig = OcrConfig()) -> None:
        self.corpus_dir = Path(corpus_dir)
        self.index_dir = Path(index_dir)
        self.embedder = embedder
        self.tokenizer = tokenizer or KiwiTokenizer()
        self.fusion = fusion
        self.indexer = Indexer(self.corpus_dir, self.index_dir, embedder, self.tokenizer, chunker, ocr=ocr,
                               fusion=fusion)
        self._searcher: Searcher | None = None
        self._refresh_lock = Lock()
        self._status = BuildStatus()
        self._serving = threading.Event()  # set once some searcher (at least keyword) is live

    @property
    def status(self) -> BuildStatus:
        return self._status

    def refresh(self, rebuild: bool = False, progress: bool = False,
                report: Reporter | None = None, background: bool = False) -> BuildReport:
        """Update the index from the corpus when needed and load it. `background`: the build
        runs beside a server (`start_refresh`), so the embedder leaves one core to it."""
        with self._refresh_lock:
            self._status = BuildStatus(building=True)

            def keyword_ready(partial) -> None:
                if self._searcher is None:  # a first build: serve keyword search already
                    self._use(partial)

            def embedded(done: int, total: int) -> None:
                self._status = replace(self._status, embedded=done, to_embed=total)

            def recognised(done: int, total: int) -> None:
                self._status = replace(self._status, ocr_done=done, ocr_total=total)

            try:
                rep = self.indexer.update(rebuild=rebuild, progress=progress, report=report,
                                          on_keyword_ready=keyword_ready, on_embed=embedded,
                                          on_ocr=recognised, on_published=self._use,
                                          background=background)
            except Exception as exc:
                self._status = BuildStatus(error=f"{type(exc).__name__}: {exc}")
                raise
            if rep.changed or self._searcher is None or not self._searcher.index.dense_ready:
                self._use(rep.index or load_index(self.index_dir))
            self._status = BuildStatus(embedded=rep.embedded, to_embed=rep.embedded,
                                       ocr_done=rep.recognised, ocr_total=rep.recognised)
            return rep

    def _use(self, index) -> None:
        self._searcher = Searcher(index, self.embedder, self.tokenizer, self.fusion_for(index.manifest))
        self._serving.set()
        trim_heap()  # the generation replaced (published while scanned pages are read) is freed

    def fusion_for(self, manifest: dict) -> FusionConfig:
        """The fusion a generation is searched with: the setting's weight when one is set
        (source "setting"), else the range its build measured on these notes ("corpus"),
        else the defaults ("default": a corpus too small to measure, or an older index)."""
        if self.fusion.source == "setting":
            return self.fusion
        cal = Calibration.from_dict(manifest.get("calibration"))
        return cal.apply(self.fusion) if cal is not None else self.fusion

    def start_refresh(self, rebuild: bool = False, report: Reporter | None = None, progress: bool = False,
                      on_done: Callable[[BuildReport], None] | None = None) -> threading.Thread:
        """Run `refresh` in a background thread; searches go on meanwhile (keyword search
        from the first moment the notes are tokenised, on a first build). `on_done` gets the
        build's report."""
        def run() -> None:
            try:
                rep = self.refresh(rebuild=rebuild, progress=progress, report=report, background=True)
                if on_done is not None:
                    on_done(rep)
            except Exception as exc:  # kept in `status.error`; the caller's thread reports it
                if report is not None:
                    report(f"색인을 만들 수 없습니다: {type(exc).__name__}: {exc}")
            finally:
                self._serving.set()  # a failed build must not leave waiters hanging

        t = threading.Thread(target=run, name="index-build", daemon=True)
        t.start()
        return t

    def wait_serving(self, timeout: float | None = None) -> bool:
        """Block until some search is possible (or the build ended); False on timeout."""
        return self._serving.wait(timeout)

    @property
    def generation(self) -> Path | None:
        """The folder of the generation being served (None before one is loaded, or while a
        first build serves from memory)."""
        s = self._searcher
        return s.index.path if s is not None else None

    @property
    def live_modes(self) -> tuple[str, ...]:
        s = self._searcher
        return s.live_modes if s is not None else ()

    def open(self, progress: bool = False, report: Reporter | None = None) -> BuildReport | None:
        """Load the index if it is current, else build it. None when nothing was built."""
        if self._searcher is None and self.open_current():
            return None
        return self.refresh(progress=progress, report=report)

    def open_current(self) -> bool:
        """Load the index from disk when it matches the notes; False when it must be built."""
        if not self.indexer.is_current():
            return False
        try:
            self._use(load_index(self.index_dir))
        except IndexUnreadable:
            return False
        return True

    @property
    def searcher(self) -> Searcher:
        if self._searcher is None:
            self.open()
        assert self._searcher is not None
        return self._searcher

    def search(self, query: str, mode: str = "hybrid", k: int = 5,
               sources: set[str] | None = None) -> list[Hit]:
        return self.searcher.search(query, mode=mode, k=k, sources=sources)

    def search_explained(self, query: str, mode: str = "hybrid", k: int = 5,
                         sources: set[str] | None = None) -> tuple[list[Hit], Weights | None]:
        """`search` and the fusion weights it used (None unless hybrid searched)."""
        return self.searcher.search_explained(query, mode=mode, k=k, sources=sources)

    @property
    def manifest(self) -> dict:
        return self.searcher.index.manifest

    # -- what study logic builds on (no caller needs the index internals) -----------------
    def sources(self) -> list[str]:
        """The indexed files, sorted."""
        return sorted(self.manifest.get("files", {}))

    def notes(self) -> list[Note]:
        """The indexed notes' text, as extracted when they were indexed."""
        index = self.searcher.index
        if index.has_notes:
            return index.notes()
        indexed = set(self.manifest.get("files", {}))  # an index from before notes.jsonl
        notes, _ = load_corpus(self.corpus_dir)
        return [n for n in notes if n.source in indexed or not indexed]

    def memo(self, key: str, factory: Callable[[], T]) -> T:
        """A value derived from the live index generation, computed once per generation."""
        return self.searcher.index.memo(key, factory)

    def term_stats(self) -> TermStats:
        """IDF of every indexed term, for weighting query terms."""
        return self.searcher.index.term_stats()

    def query_terms(self, text: str) -> list[str]:
        return self.tokenizer(text)

    def keyword_scores(self, terms: list[str]) -> np.ndarray:
        """BM25 score of every chunk for these query terms, in chunk order."""
        return self.searcher.keyword_scores(terms)

    def similarities(self, text: str) -> np.ndarray:
        """Cosine of the query `text` to every chunk, in chunk order."""
        s = self.searcher
        return s.similarities(s.query_vector(text))

    def query_vector(self, text: str) -> np.ndarray:
        return self.searcher.query_vector(text)

    def chunk_hit(self, index: int) -> Hit:
        """The chunk at `index` of the live chunk table as a hit (score 0, rank 0)."""
        return self.searcher.chunk_hit(index)

    @contextmanager
    def embed_ahead(self, queries: Sequence[str]) -> Iterator[None]:
        """Around a one-shot command about to answer `queries` (issue 24: `ask` ≤ 3 s): a forked
        child loads the query embedder and embeds them while this process loads Kiwi, then
        answers every query call until the block ends (`embed_ahead.EmbedAhead`). Nothing
        happens where that is not clean: no fork, other threads running (a build, a server),
        an embedder that cannot load there (`Embedder.loads_in_child`)."""
        from .embed_ahead import EmbedAhead
        from .forked import can_fork
        from .search import QueryError, prepare_query

        inner, ahead = self.embedder, None
        if self._searcher is not None and can_fork() and inner.loads_in_child():
            texts = []
            for q in queries:
                try:
                    texts.append(prepare_query(q).text)
                except QueryError:
                    pass
            try:
                ahead = EmbedAhead.start(inner, texts)
            except OSError:  # no fork, no pipe: embed here as always
                ahead = None
        if ahead is None:
            yield
            return
        self._swap_embedder(inner, ahead)
        try:
            yield
        finally:
            ahead.close()
            self._swap_embedder(ahead, inner)

    def _swap_embedder(self, old, new) -> None:
        self.embedder = new
        s = self._searcher
        if s is not None and s.embedder is old:
            s.embedder = new

    def recognised_pages(self) -> dict[str, frozenset[int]]:
        """The 1-based pages of each indexed file whose text was recognised (OCR): the live
        generation's, else the last one on disk (never builds an index; {} without one)."""
        s = self._searcher
        if s is None:
            return _recognised(read_manifest(self.index_dir) or {})
        return s.index.memo("retriever:recognised-pages", lambda: _recognised(s.index.manifest))

    def kept_terms(self, key: str, texts: Sequence[str]) -> list[list[str]]:
        """`tokenizer.tokenize_many(texts)`, kept with the live generation (`kept_terms`): the
        next process reads them instead of running Kiwi (every section's terms, for coverage)."""
        from .kept_terms import kept_terms

        return kept_terms(self.generation, key, texts, self.tokenizer)

    def structure(self) -> NotesStructure:
        """The indexed notes' sections, each with its chunks — parsed once per generation."""
        def build() -> NotesStructure:
            notes = ((n.source, n.text, n.pages, n.ocr_pages) for n in self.notes())
            return parse_notes(notes, splitter=self.tokenizer.split_sentences).with_chunks(self.searcher.index.chunks)

        return self.memo("retriever:structure", build)


def _recognised(manifest: dict) -> dict[str, frozenset[int]]:
    files = manifest.get("files", {})
    return {src: frozenset(int(p) for p in pages) for src, meta in files.items()
            if (pages := (meta.get("ocr") or {}).get("recognised"))}
