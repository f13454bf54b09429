"""Where a benchmark's figures go: its own history file, bench/results/<benchmark>.md, newest first.

bench/RESULTS.md holds only the current figures of each benchmark (edited by hand after a run);
a benchmark that writes its section (`startup`, `documents`, `load --results`, `class_load
--results`) puts it at the top of its history file with `add_section`.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from bench.lib.paths import RESULTS_DIR


def results_file(benchmark: str, folder: Path = RESULTS_DIR) -> Path:
    """The history file of `benchmark` (e.g. "startup" → bench/results/startup.md)."""
    return folder / f"{benchmark}.md"


def add_section(benchmark: str, section: str, folder: Path = RESULTS_DIR) -> Path:
    """Put `section` (Markdown starting with its "## " heading) first in the benchmark's history:
    after the file's title and introduction, before its newest "## " section. A missing file is
    made with a title. Written to a temporary file and renamed, so a crash leaves the old file."""
    path = results_file(benchmark, folder)
    old = path.read_text(encoding="utf-8") if path.exists() else f"# `python -m bench.{benchmark}` — every run, newest first\n"
    lines = old.splitlines(keepends=True)
    at = next((i for i, line in enumerate(lines) if line.startswith("## ")), len(lines))
    head = "".join(lines[:at]).rstrip("\n") + "\n\n"
    rest = "".join(lines[at:])
    text = head + section.strip("\n") + "\n" + ("\n" + rest if rest else "")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
