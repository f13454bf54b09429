"""The composition root: `wire(settings)` makes every long-lived object of the app.

Nothing is loaded here (no index, no model): each piece loads lazily on first use, so the
CLI and the web app can start at once and open the index in the background.
"""
from __future__ import annotations

from dataclasses import dataclass

from retriever import Embedder, NotesLibrary, make_embedder
from tutor.answers import Tutor
from tutor.common.llm import ChatLLM

from .record import NotesRecord
from .settings import Settings


@dataclass(frozen=True)
class Services:
    """The settings, the notes library, the chat model (at most one, None in template mode),
    the tutor built on them and the learning record bound to the notes (opened on first use)."""

    settings: Settings
    library: NotesLibrary
    llm: ChatLLM | None
    tutor: Tutor
    record: NotesRecord


def wire(settings: Settings, embedder: Embedder | None = None) -> Services:
    """Every long-lived object for `settings`; `embedder` replaces the one the settings name
    (a program embedding the app with its own model, or a test's fake)."""
    embedder = embedder or make_embedder(settings.embeddings, cache_dir=settings.models_dir)
    library = NotesLibrary(settings.corpus_dir, settings.index_dir, embedder,
                           chunker=settings.chunker, fusion=settings.fusion, ocr=settings.ocr)
    llm = ChatLLM(settings.llm, settings.llm_timeout) if settings.llm else None
    return Services(settings, library, llm, Tutor(library, llm), NotesRecord(library, settings))
