"""bench/lib/results.py: a benchmark's new section goes first in its own history file, nothing of
the older runs is lost, and every maintained benchmark has its history file."""
from __future__ import annotations

import re

from bench.lib.paths import BENCH, RESULTS_DIR
from bench.lib.results import add_section, results_file

INTRO = "# `python -m bench.startup` — every run, newest first\n\nWhat it measures.\n"
OLD = "## App start-up (2026-11-26 22:11 UTC)\n\n| run | s |\n|---|---|\n| 1 | 4.03 |\n"


def test_a_new_section_goes_first_and_the_older_runs_stay(tmp_path):
    results_file("startup", tmp_path).write_text(INTRO + "\n" + OLD, encoding="utf-8")
    path = add_section("startup", "\n## App start-up (2026-12-02 09:00 UTC)\n\n| run | s |\n|---|---|\n| 1 | 3.90 |\n",
                       tmp_path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith(INTRO)
    assert text.index("2026-12-02 09:00") < text.index("2026-11-26 22:11")
    assert text.endswith(OLD) and text.count("## App start-up") == 2
    assert "\n\n\n" not in text
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left beside it


def test_a_missing_history_file_is_made_with_its_title(tmp_path):
    path = add_section("documents", "## Documents (2026-12-02)\n\nfigures\n", tmp_path)
    assert path.read_text(encoding="utf-8") == (
        "# `python -m bench.documents` — every run, newest first\n\n## Documents (2026-12-02)\n\nfigures\n")


def test_every_maintained_benchmark_has_a_history_file_linked_from_results():
    listed = re.findall(r"^\| `(\w+)` \|", (BENCH / "README.md").read_text(encoding="utf-8"), re.M)
    assert len(listed) >= 16
    summary = (BENCH / "RESULTS.md").read_text(encoding="utf-8")
    for name in listed:
        assert results_file(name).is_file(), name
        assert f"(results/{name}.md)" in summary, name
    assert sorted(p.stem for p in RESULTS_DIR.glob("*.md")) == sorted(listed)
