"""`NotesLibrary`: one corpus + its index + a live searcher, the object callers hold.

`refresh()` updates the index on disk and swaps in a new searcher in one assignment, so
searches running in other threads keep the old one until they finish.
"""
from __future__ import annotations

import os
from pathlib import Path
from threading import Lock

from .chunking import ChunkerConfig
from .embeddings import Embedder
from .search import FusionConfig, Searcher
from .store import BuildReport, Indexer, IndexError_, Reporter, load_index
from .tokenizer import KiwiTokenizer
from .types import Hit


class NotesLibrary:
    def __init__(self, corpus_dir: str | os.PathLike, index_dir: str | os.PathLike,
                 embedder: Embedder, tokenizer: KiwiTokenizer | None = None,
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
