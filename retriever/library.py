"""`NotesLibrary`: one corpus + its index + a live searcher, the object callers hold.

`refresh()` updates the index on disk and swaps in a new searcher in one assignment, so
searches running in other threads keep the old one until they finish.
"""
from __future__ import annotations

import os
from pathlib import Path
from threading import Lock
from typing import Callable, TypeVar

import numpy as np

from .chunking import ChunkerConfig
from .embeddings import Embedder
from .indexer import Indexer, Reporter
from .loader import load_corpus
from .search import FusionConfig, Searcher
from .store import BuildReport, IndexError_, load_index
from .terms import TermStats
from .tokenizer import KiwiTokenizer, Tokenizer
from .types import Hit, Note

T = TypeVar("T")


class NotesLibrary:
    def __init__(self, corpus_dir: str | os.PathLike, index_dir: str | os.PathLike,
                 embedder: Embedder, tokenizer: Tokenizer | None = None,
                 chunker: ChunkerConfig = ChunkerConfig(), fusion: FusionConfig = FusionConfig()) -> None:
        self.corpus_dir = Path(corpus_dir)
        self.index_dir = Path(index_dir)
        self.embedder = embedder
        self.tokenizer = tokenizer or KiwiTokenizer()
        self.fusion = fusion
        self.indexer = Indexer(self.corpus_dir, self.index_dir, embedder, self.tokenizer, chunker)
        self._searcher: Searcher | None = None
        self._refresh_lock = Lock()

    def refresh(self, rebuild: bool = False, progress: bool = False,
                report: Reporter | None = None) -> BuildReport:
        """Update the index from the corpus when needed and load it."""
        with self._refresh_lock:
            rep = self.indexer.update(rebuild=rebuild, progress=progress, report=report)
            if rep.changed or self._searcher is None:
                index = rep.index or load_index(self.index_dir)
                self._searcher = Searcher(index, self.embedder, self.tokenizer, self.fusion)
            return rep

    def open(self, progress: bool = False, report: Reporter | None = None) -> BuildReport | None:
        """Load the index if it is current, else build it. None when nothing was built."""
        if self._searcher is None and self.indexer.is_current():
            try:
                self._searcher = Searcher(load_index(self.index_dir), self.embedder, self.tokenizer, self.fusion)
                return None
            except IndexError_:
                pass
        return self.refresh(progress=progress, report=report)

    @property
    def searcher(self) -> Searcher:
        if self._searcher is None:
            self.open()
        assert self._searcher is not None
        return self._searcher

    def search(self, query: str, mode: str = "hybrid", k: int = 5,
               sources: set[str] | None = None) -> list[Hit]:
        return self.searcher.search(query, mode=mode, k=k, sources=sources)

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

    def chunk_near(self, source: str, line: int, within: tuple[int, int] | None = None) -> Hit | None:
        """The chunk holding `line` of `source` (or the nearest one starting `within` a line range)."""
        s = self.searcher
        i = s.chunk_near(source, line, within)
        return None if i is None else s.chunk_hit(i)
