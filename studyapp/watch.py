"""Edited notes reach the index while the app runs: a background check of the notes folder.

Every few seconds it compares the files' sizes and modification times (no file is read);
when they changed it starts a background re-index, during which searches go on with the
index they have.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

from retriever import NotesLibrary
from retriever.loader import iter_note_paths
from retriever.store import current_generation

Signature = tuple[tuple[str, int, int], ...]


def signature(corpus: Path) -> Signature:
    """(path, size, mtime) of every note file — what changes when a note is saved."""
    out = []
    for path in iter_note_paths(corpus) if corpus.is_dir() else []:
        try:
            st = path.stat()
        except OSError:
            continue
        out.append((str(path), st.st_size, st.st_mtime_ns))
    return tuple(out)


class NotesWatcher:
    def __init__(self, library: NotesLibrary, interval: float,
                 on_change: Callable[[], None] | None = None) -> None:
        self.library, self.interval = library, interval
        self.on_change = on_change or (lambda: library.start_refresh())
        self._stop = threading.Event()
        self._seen: Signature | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> "NotesWatcher":
        self._seen = signature(self.library.corpus_dir)
        self._thread = threading.Thread(target=self._run, name="notes-watcher", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def check(self) -> bool:
        """One look at the folder; True when it changed and a re-index was started."""
        now = signature(self.library.corpus_dir)
        if now == self._seen or self.library.status.building:
            return False
        self._seen = now
        self.on_change()
        return True

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.check()
            except OSError:  # the folder is being moved or remounted: look again next time
                continue


class GenerationWatcher:
    """Several app instances share one index folder: whichever builds a new generation (under
    the index's lock), the others load it when they see `CURRENT` name another generation than
    the one they serve — a file read every few seconds, the notes hashed only then."""

    def __init__(self, library: NotesLibrary, interval: float, report: Callable[[str], None] | None = None) -> None:
        self.library, self.interval = library, interval
        self.report = report or (lambda msg: None)
        self._stop = threading.Event()

    def start(self) -> "GenerationWatcher":
        threading.Thread(target=self._run, name="index-follower", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def check(self) -> bool:
        """One look at `CURRENT`; True when a new generation was loaded."""
        lib = self.library
        now = current_generation(lib.index_dir)
        if now is None or lib.status.building or lib.generation is None or now == lib.generation:
            return False
        if lib.open_current():  # only when it matches the notes on disk
            self.report(f"새 색인을 불러왔습니다 (index reloaded): {now.name}")
            return True
        return False

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.check()
            except Exception as exc:  # an index swept while being read: look again next time
                self.report(f"경고: 새 색인을 읽지 못했습니다: {type(exc).__name__}: {exc}")


__all__ = ["GenerationWatcher", "NotesWatcher", "signature"]
