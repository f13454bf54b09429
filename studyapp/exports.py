"""Quiz exports written for download: one temporary folder per process, unique names, only
the latest few kept, the folder removed when the process ends."""
from __future__ import annotations

import atexit
import itertools
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Sequence

from tutor.export import export_anki, export_csv
from tutor.types import QuizItem

EXPORTS_KEPT = 20
FORMATS = ("csv", "anki")


class ExportFolder:
    def __init__(self, kept: int = EXPORTS_KEPT) -> None:
        self.kept = kept
        self._dir: Path | None = None
        self._seq = itertools.count(1)
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        with self._lock:
            if self._dir is None:
                self._dir = Path(tempfile.mkdtemp(prefix="study-quiz-"))
                atexit.register(shutil.rmtree, self._dir, True)
            return self._dir

    def write(self, items: Sequence[QuizItem], fmt: str) -> Path:
        """Write `items` as CSV or an Anki deck; the new file's path."""
        if fmt not in FORMATS:
            raise ValueError(f"알 수 없는 내보내기 형식: {fmt} ({', '.join(FORMATS)})")
        if fmt == "csv":
            return self.write_with(lambda path: export_csv(items, path), "quiz", ".csv")
        return self.write_with(lambda path: export_anki(items, path), "quiz", ".apkg")

    def write_with(self, writer: Callable[[Path], Path], prefix: str, suffix: str) -> Path:
        """A new file `<prefix>-<time>-<n><suffix>` written by `writer(path)`; its path."""
        folder = self.path
        path = writer(folder / f"{prefix}-{time.strftime('%Y%m%d-%H%M%S')}-{next(self._seq)}{suffix}")
        # The web app serves a copy from its own cache; keep only the latest few here.
        for old in sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime)[:-self.kept]:
            old.unlink(missing_ok=True)
        return path
