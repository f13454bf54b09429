"""How scanned pages and photos are recognised: one frozen settings object, passed down.

The application reads `STUDY_OCR_*` from the environment and builds this; the retriever only
receives it. Defaults were measured with `python -m bench.ocr_sets` (bench/RESULTS.md, "Scanned notes").
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass

OCR_VERSION = 2  # bump when the recognised text of a page would change (layout, rendering)


@dataclass(frozen=True)
class OcrConfig:
    langs: str = "kor+eng"  # Tesseract language data, "+"-joined
    workers: int = 0  # pages recognised at once, one Tesseract process each; 0: one per CPU core
    page_timeout: float = 120.0  # seconds a page may take; a page over it is skipped with its reason
    min_confidence: float = 60.0  # pages whose mean word confidence (0–100) is lower are reported
    dpi: int = 300  # PDF pages are rendered at this resolution, grey-scale
    max_pixels: int = 12_000_000  # larger pictures and pages are scaled down to this many pixels
    publish_seconds: float = 15.0  # newly recognised pages join the index at most this often
    tesseract: str = "tesseract"  # the program: a name looked up on PATH, or a path
    enabled: bool = True  # False: scanned pages are skipped without looking for Tesseract

    def worker_count(self) -> int:
        return self.workers if self.workers > 0 else max(1, os.cpu_count() or 1)

    def text_settings(self) -> dict:
        """What decides a page's recognised text (and which pages are reported): part of the
        index settings, so changing it reads the scans again (the cache keeps what still fits)."""
        return {"langs": self.langs, "dpi": self.dpi, "max_pixels": self.max_pixels,
                "page_timeout": self.page_timeout, "min_confidence": self.min_confidence,
                "enabled": self.enabled, "version": OCR_VERSION}

    def cache_key(self, page_key: str) -> str:
        """The OCR cache key of a page: its content and what its text depends on."""
        basis = {"page": page_key, "langs": self.langs, "dpi": self.dpi, "max_pixels": self.max_pixels,
                 "version": OCR_VERSION}
        return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()
