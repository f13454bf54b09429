"""`python -m tutor` as real processes: what the in-process runner of the other CLI tests
(`tests/support/cli.py`) leaves out — the interpreter's start, `sys.exit(main())`, streams that
are pipes. The same command gives the same output and exit code both ways, so the in-process
tests stand for processes; the record's walk-through on PostgreSQL runs as processes too
(test_cli_record.py)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.cli import run_cli

pytestmark = pytest.mark.slow  # real processes of the CLI, each loading the models


def _process(args, env, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tutor", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", timeout=240)


def test_a_process_and_the_in_process_runner_print_the_same(seed_corpus, seed_index_copy, cli_env, tmp_path):
    args = ["search", "--json", "--mode", "hybrid", "--corpus", str(seed_corpus), "--index", str(seed_index_copy),
            "아테나 파티션 프로젝션"]
    proc, here = _process(args, cli_env, tmp_path), run_cli(args, cli_env, tmp_path)
    assert proc.returncode == here.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    hits = json.loads(proc.stdout)["hits"]
    assert hits and json.loads(proc.stdout) == json.loads(here.stdout)


def test_bad_input_ends_the_process_with_code_2_and_one_line(cli_env, tmp_path):
    args = ["ask", "--corpus", str(tmp_path / "none"), "--index", str(tmp_path / "idx"), "   "]
    proc, here = _process(args, cli_env, tmp_path), run_cli(args, cli_env, tmp_path)
    assert proc.returncode == here.returncode == 2
    assert proc.stdout == "" and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("오류") and lines == here.stderr.strip().splitlines()
    assert not (tmp_path / "idx").exists()
