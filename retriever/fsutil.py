"""Durable file writes: fsync a folder, write a file atomically (temp file → fsync → rename).

The one home of these helpers: the index store and the notes uploads both use them.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def fsync_dir(path: str | os.PathLike) -> None:
    """Flush a folder's entries (a rename inside it) to disk; best effort where unsupported."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def fsync_file(path: str | os.PathLike) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def atomic_write(target: str | os.PathLike, data: bytes, *, replace: bool = True,
                 mode: int = 0o644) -> None:
    """Write `data` to `target` so that readers see the old file or the new one, never half.

    With `replace=False` the write fails with FileExistsError when `target` exists (a hard
    link is the atomic "create if absent"), so an existing file is never overwritten.
    """
    target = Path(target)
    folder = target.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:40]}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        if replace:
            os.replace(tmp, target)
        else:
            os.link(tmp, target)
            os.unlink(tmp)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    fsync_dir(folder)
