"""Which project folders a process outside this test run holds a file of open (Linux `/proc`).

The run's guard (`conftest.project_folders_untouched`) fails when `corpus/`, `index/` or `data/`
changed during the run. A learner may have the app running from the same checkout while the
tests run (the README's two commands): the app's writes to `data/` (its learning record, held
open) are its own, not a test's, and used to fail the run with errors on each worker's last test.
"""
from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")


def _parents() -> dict[int, int]:
    parents = {}
    for p in PROC.iterdir():
        if p.name.isdigit():
            try:  # field 4 of stat, after the command name in parentheses (which may hold spaces)
                parents[int(p.name)] = int((p / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass  # gone meanwhile
    return parents


def _cmdline(pid: int) -> str:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def run_root(parents: dict[int, int]) -> int:
    """The pytest process this one belongs to: itself, or the xdist controller above a worker."""
    root = os.getpid()
    while parents.get(root, 0) > 1 and "pytest" in _cmdline(parents[root]):
        root = parents[root]
    return root


def foreign_holders(root: Path, folders: tuple[str, ...]) -> dict[str, list[int]]:
    """folder → the processes outside this test run (not the run's pytest process nor anything
    it started) holding a file under `root / folder` open; {} where there is no `/proc`."""
    if not PROC.is_dir():
        return {}
    parents = _parents()
    top = run_root(parents)

    def in_run(pid: int) -> bool:
        seen = set()
        while pid > 1 and pid not in seen:
            if pid == top:
                return True
            seen.add(pid)
            pid = parents.get(pid, 0)
        return False

    prefixes = {name: str(root / name) + os.sep for name in folders}
    held: dict[str, list[int]] = {}
    for pid in parents:
        if in_run(pid):
            continue
        try:
            fds = os.listdir(PROC / str(pid) / "fd")
        except OSError:  # another user's process, or gone
            continue
        for fd in fds:
            try:
                target = os.readlink(PROC / str(pid) / "fd" / fd)
            except OSError:
                continue
            for name, prefix in prefixes.items():
                if target.startswith(prefix) and pid not in held.get(name, []):
                    held.setdefault(name, []).append(pid)
    return held
