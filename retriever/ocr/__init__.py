"""Korean OCR of scanned pages and photos of notes (Tesseract), cached with the index.

`OcrConfig` is what callers pass in; `OcrSession` is what the indexer runs per build.
Importing this package starts nothing and imports no imaging library.
"""
from .config import OcrConfig
from .tesseract import INSTALL, OcrUnavailable

__all__ = ["INSTALL", "OcrConfig", "OcrUnavailable"]
