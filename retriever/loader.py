"""Read the notes folder: which files count, and how their bytes become text.

The corpus is only ever read. Files that cannot be decoded are reported as `Skipped`,
never raised, so one bad file cannot stop an index build.
"""
from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from .types import Note, Skipped

log = logging.getLogger(__name__)

NOTE_SUFFIXES = (".md", ".markdown", ".txt")
MAX_FILE_BYTES = 20 * 1024 * 1024


def iter_note_paths(root: Path) -> list[Path]:
    """Note files under `root`, recursively, sorted, hidden files and folders left out."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not name.lower().endswith(NOTE_SUFFIXES):
                continue
            found.append(Path(dirpath) / name)
    return found


def _hangul_count(text: str) -> int:
    return sum(1 for ch in text if "\uac00" <= ch <= "\ud7a3")


def decode_bytes(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) for note bytes, or None when they are not text.

    UTF-8 (with or without BOM) first; only when that fails, charset-normalizer guesses,
    with a strict CP949 decode as the tie-breaker for Korean Windows files.
    """
    if b"\x00" in data[:8192]:
        return None
    try:
        return data.decode("utf-8-sig"), ("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8")
    except UnicodeDecodeError:
        pass
    candidates: list[tuple[str, str]] = []
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None:
            candidates.append((str(best), best.encoding))
    except Exception:  # detector failure is just "no guess"
        pass
    try:
        candidates.append((data.decode("cp949"), "cp949"))
    except UnicodeDecodeError:
        pass
    if not candidates:
        return None
    # Korean notes: prefer the reading with the most Hangul syllables.
    text, enc = max(candidates, key=lambda c: _hangul_count(c[0]))
    if _printable_ratio(text) < 0.9:
        return None
    return text, enc


def _printable_ratio(text: str) -> float:
    if not text:
        return 1.0
    ok = sum(1 for ch in text if ch.isprintable() or ch in "\n\r\t")
    return ok / len(text)


def load_note(path: Path, root: Path) -> Note | Skipped:
    rel = path.relative_to(root).as_posix()
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return Skipped(rel, f"too large ({size} bytes > {MAX_FILE_BYTES})")
        data = path.read_bytes()
    except OSError as exc:
        return Skipped(rel, f"unreadable: {exc.strerror or exc}")
    decoded = decode_bytes(data)
    if decoded is None:
        return Skipped(rel, "binary or undecodable")
    text, enc = decoded
    if not text.strip():
        return Skipped(rel, "empty")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Note(source=rel, text=text, sha256=hashlib.sha256(data).hexdigest(), encoding=enc)


def load_corpus(root: str | os.PathLike) -> tuple[list[Note], list[Skipped]]:
    """All readable notes under `root` and the files skipped, each with a reason."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"corpus folder not found: {root}")
    notes: list[Note] = []
    skipped: list[Skipped] = []
    for path in iter_note_paths(root):
        item = load_note(path, root)
        if isinstance(item, Skipped):
            log.warning("skipped %s: %s", item.path, item.reason)
            skipped.append(item)
        else:
            notes.append(item)
    return notes, skipped
