"""Files written for download (quiz and 오답 노트 exports): one temporary folder per process, unique names, only
the latest few kept, the folder removed when the process ends."""
from __future__ import annotations

import atexit
import itertools
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

EXPORTS_KEPT = 20


class DownloadFolder:
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

    def write_with(self, writer: Callable[[Path], Path], prefix: str, suffix: str) -> Path:
        """A new file `<prefix>-<time>-<n><suffix>` written by `writer(path)`; its path."""
        folder = self.path
        path = writer(folder / f"{prefix}-{time.strftime('%Y%m%d-%H%M%S')}-{next(self._seq)}{suffix}")
        # The web app serves a copy from its own cache; keep only the latest few here.
        for old in sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime)[:-self.kept]:
            old.unlink(missing_ok=True)
        return path
