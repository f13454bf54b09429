"""`python -m tutor guide` as a user runs it (issue 19): the JSON per section, a PDF file, and
bad input — a --section matching nothing lists the sections, an unwritable --out is one line."""
from __future__ import annotations

import json

import pytest

from tests.support.cli import run_cli

pytestmark = pytest.mark.slow  # the CLI in this process (tests/support/cli.py)


def _run(args, env, cwd):
    return run_cli(["guide", *args], env, cwd)


@pytest.fixture
def common(seed_corpus, seed_index_copy):
    return ["--corpus", str(seed_corpus), "--index", str(seed_index_copy)]


def test_guide_json_markdown_and_pdf(common, cli_env, tmp_path):
    r = _run([*common, "--json"], cli_env, tmp_path)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    secs = json.loads(r.stdout)["sections"]
    assert len(secs) == 7
    assert set(secs[0]) >= {"section", "scenario", "answer", "terms", "points", "use", "avoid", "numbers", "missed"}
    r = _run([*common, "--section", "FLEX"], cli_env, tmp_path)
    assert r.returncode == 0 and "6. AWS Glue FLEX" in r.stdout and "시험 포인트" in r.stdout
    assert "**" not in r.stdout  # plain text in the terminal
    out = tmp_path / "요약.pdf"
    r = _run([*common, "--format", "pdf", "--out", str(out)], cli_env, tmp_path)
    assert r.returncode == 0 and out.read_bytes().startswith(b"%PDF"), r.stderr


def test_guide_bad_input_is_one_line(common, cli_env, tmp_path):
    r = _run([*common, "--section", "쿠버네티스"], cli_env, tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    line = r.stderr.strip().splitlines()[-1]
    assert line.startswith("오류: '쿠버네티스'에 맞는 단원이 없습니다") and "6. AWS Glue FLEX" in line
    r = _run([*common, "--format", "md", "--out", str(tmp_path / "없는폴더" / "g.md")], cli_env, tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith("오류: 출력 파일을 쓸 수 없습니다")
    assert not (tmp_path / "없는폴더").exists()
