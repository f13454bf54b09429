"""Read the notes folder: which files count, their content hashes, and their text.

The corpus is only ever read. `scan` hashes the files (cheap: an unchanged corpus is
recognised without extracting a single PDF); `read_note` turns one file into text through
the reader of its format (`read_source` also gives the scanned pages that OCR must read).
Files that cannot be read are reported as `Skipped` with a one-line reason, never raised, so
one bad file cannot stop an index build.
"""
from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from .readers import SUFFIXES, ScanPage, Unreadable, format_of, read_bytes
from .types import Note, Skipped

log = logging.getLogger(__name__)

NOTE_SUFFIXES = SUFFIXES


@dataclass(frozen=True)
class FileRef:
    """A note file found by `scan`: where it is and the hash of its bytes."""

    source: str  # path relative to the corpus root, POSIX separators
    path: Path
    sha256: str
    size: int


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


def _hash_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def scan(root: str | os.PathLike) -> tuple[list[FileRef], list[Skipped]]:
    """Every note file under `root` with its hash; files too large or unreadable are skipped."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"corpus folder not found: {root}")
    refs: list[FileRef] = []
    skipped: list[Skipped] = []
    for path in iter_note_paths(root):
        rel = path.relative_to(root).as_posix()
        fmt = format_of(path.name)
        try:
            size = path.stat().st_size
            if fmt is not None and size > fmt.max_bytes:
                skipped.append(Skipped(rel, f"too large ({size} bytes > {fmt.max_bytes})"))
                continue
            refs.append(FileRef(rel, path, _hash_file(path), size))
        except OSError as exc:
            skipped.append(Skipped(rel, f"unreadable: {exc.strerror or exc}"))
    return refs, skipped


def read_source(ref: FileRef) -> tuple[Note, tuple[ScanPage, ...]] | Skipped:
    """One scanned file through the reader of its format: its note (scanned pages left
    empty) and the pages to recognise (OCR), or why it was skipped."""
    try:
        data = ref.path.read_bytes()
    except OSError as exc:
        return Skipped(ref.source, f"unreadable: {exc.strerror or exc}")
    try:
        out = read_bytes(data, ref.path.name)
    except Unreadable as exc:
        return Skipped(ref.source, str(exc))
    except Exception as exc:  # a reader library failing on a strange file is a skip, not a crash
        return Skipped(ref.source, f"읽을 수 없는 파일입니다 ({type(exc).__name__}: {exc})")
    # the hash of the bytes actually read (the file may have changed since the scan)
    return Note(ref.source, out.text, hashlib.sha256(data).hexdigest(), out.encoding, out.pages), out.scans


def read_note(ref: FileRef) -> Note | Skipped:
    """The text of one scanned file (its reader chosen by suffix), or why it was skipped. A file
    with pages to recognise comes with those pages empty (the indexer runs OCR: `read_source`);
    one with nothing but such pages is skipped, saying so."""
    item = read_source(ref)
    if isinstance(item, Skipped):
        return item
    note, scans = item
    if scans and not note.text.strip():
        return Skipped(ref.source, "스캔 페이지뿐인 파일입니다 — 색인할 때 OCR로 읽습니다 (scanned: read by OCR)")
    return note


def load_note(path: Path, root: Path) -> Note | Skipped:
    rel = path.relative_to(root).as_posix()
    try:
        ref = FileRef(rel, path, "", path.stat().st_size)
    except OSError as exc:
        return Skipped(rel, f"unreadable: {exc.strerror or exc}")
    fmt = format_of(path.name)
    if fmt is not None and ref.size > fmt.max_bytes:
        return Skipped(rel, f"too large ({ref.size} bytes > {fmt.max_bytes})")
    return read_note(ref)


def load_corpus(root: str | os.PathLike) -> tuple[list[Note], list[Skipped]]:
    """All readable notes under `root` and the files skipped, each with a reason."""
    refs, skipped = scan(root)
    notes: list[Note] = []
    for ref in refs:
        item = read_note(ref)
        if isinstance(item, Skipped):
            log.warning("skipped %s: %s", item.path, item.reason)
            skipped.append(item)
        else:
            notes.append(item)
    skipped.sort(key=lambda s: s.path)
    return notes, skipped
