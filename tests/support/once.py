"""Session fixtures built once per run, also when pytest-xdist spreads the run over worker
processes: the first worker builds under a file lock in the run's shared temp folder, the
others wait for it and reuse the result (read-only). Without xdist: a plain session folder."""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Callable

import pytest


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """A folder `name` filled by `build(folder)` exactly once for the whole run."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        path = tmp_path_factory.mktemp(name)
        build(path)
        return path
    from filelock import FileLock

    root = tmp_path_factory.getbasetemp().parent  # shared by every worker of this run
    path, done = root / name, root / f"{name}.done"
    with FileLock(str(root / f"{name}.lock")):
        if not done.exists():
            shutil.rmtree(path, ignore_errors=True)  # a build that failed in another worker
            path.mkdir()
            build(path)
            done.touch()
    return path
