"""Recognised pages kept with the index generation (`ocr.jsonl`), by page content and settings.

Each line is one page: `{"key", "conf", "rot", "lines": [[text, confidence, height, block], …]}`,
or `{"key", "error", "timeout"}` for a page that ran over its time limit (tried again only
with a longer limit). A build reads the live generation's file, even when everything else is
rebuilt, and writes the entries still in use into the new generation, so a restart, other
chunk settings, a new embedder or an edit of another file never recognise a page again.
JSON only; a damaged line is skipped (that page is read again), never an error.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from ..store import current_generation
from .text import PageText

FILE = "ocr.jsonl"


class OcrCache:
    def __init__(self, entries: dict[str, dict] | None = None) -> None:
        self._entries: dict[str, dict] = dict(entries or {})

    @classmethod
    def load(cls, index_dir: str | os.PathLike) -> "OcrCache":
        gen = current_generation(Path(index_dir))
        entries: dict[str, dict] = {}
        if gen is not None:
            try:
                with open(gen / FILE, encoding="utf-8") as f:
                    for line in f:
                        try:
                            row = json.loads(line)
                            if isinstance(row, dict) and isinstance(row.get("key"), str):
                                entries[row["key"]] = row
                        except ValueError:
                            continue
            except OSError:
                pass
        return cls(entries)

    def __len__(self) -> int:
        return len(self._entries)

    def text(self, key: str) -> PageText | None:
        row = self._entries.get(key)
        if row is None or "lines" not in row:
            return None
        try:
            return PageText.from_json(row)
        except (KeyError, TypeError, ValueError):
            return None

    def timed_out(self, key: str, timeout: float) -> str | None:
        """The reason a page was given up, when it ran over a limit at least this long."""
        row = self._entries.get(key)
        if row is None or "error" not in row or float(row.get("timeout", 0)) < timeout:
            return None
        return str(row["error"])

    def put_text(self, key: str, page: PageText) -> None:
        self._entries[key] = {"key": key, **page.to_json()}

    def put_timeout(self, key: str, reason: str, timeout: float) -> None:
        self._entries[key] = {"key": key, "error": reason, "timeout": timeout}

    def save(self, folder: Path, keep: set[str]) -> None:
        """Write the entries of `keep` into a generation folder being built."""
        with open(folder / FILE, "w", encoding="utf-8") as f:
            for key in sorted(keep & self._entries.keys()):
                f.write(json.dumps(self._entries[key], ensure_ascii=False) + "\n")
