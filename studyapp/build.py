"""The composition root: one `build(settings)` makes every long-lived object of the app.

Nothing is loaded here (no index, no model): each piece loads lazily on first use, so the
CLI and the web app can build first and open the index in the background.
"""
from __future__ import annotations

from dataclasses import dataclass

from retriever import NotesLibrary, make_embedder
from tutor.answer import Tutor
from tutor.llm import ChatLLM

from .settings import Settings
from .study import StudyRecord


@dataclass(frozen=True)
class Services:
    """What the interfaces use: the settings, the notes library, the chat model (at most
    one, None in template mode), the tutor built on them and the learning record (opened
    on first use)."""

    settings: Settings
    library: NotesLibrary
    llm: ChatLLM | None
    tutor: Tutor
    study: StudyRecord


def build(settings: Settings) -> Services:
    embedder = make_embedder(settings.embeddings, cache_dir=settings.models_dir)
    library = NotesLibrary(settings.corpus_dir, settings.index_dir, embedder,
                           chunker=settings.chunker, fusion=settings.fusion)
    llm = ChatLLM(settings.llm, settings.llm_timeout) if settings.llm else None
    return Services(settings, library, llm, Tutor(library, llm), StudyRecord(library, settings))
