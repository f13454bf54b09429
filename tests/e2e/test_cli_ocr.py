"""Scanned notes through `python -m tutor` (issue 20): `index --json` reports the recognised pages,
`search` cites "p. 1 · 스캔" (and `"page"`, `"ocr"` in JSON), a second `index` reads no page
again, and without Tesseract the scans are skipped with one line naming what to install."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.ocr import make_corpus, pages_read, wrapper
from tests.support.services import need_tesseract

pytestmark = pytest.mark.slow  # the CLI in this process (tests/support/cli.py), over real indexes

ROOT = Path(__file__).resolve().parents[2]


def run(args, env):
    proc = run_cli(args, env, ROOT)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr
    return proc


def test_index_search_and_index_again_on_scanned_notes(tmp_path, cli_env):
    exe, log = wrapper(tmp_path / "bin", need_tesseract())
    corpus, index = make_corpus(tmp_path / "notes"), tmp_path / "index"
    env = dict(cli_env, STUDY_TESSERACT=str(exe))
    where = ["--corpus", str(corpus), "--index", str(index)]
    first = json.loads(run(["index", "--json", *where], env).stdout.strip().splitlines()[-1])
    assert first["files"] == 4 and first["skipped"] == [] and first["recognised"] == 4 and first["ocr"] == []
    assert pages_read(log) == 4
    out = json.loads(run(["search", "--json", "--mode", "hybrid", *where, "라우터 점검 주기"], env).stdout)
    top = out["hits"][0]
    assert (top["source"], top["page"], top["ocr"]) == ("scan.pdf", 1, True)
    text = run(["search", "--mode", "keyword", *where, "게이트웨이 장애 조치"], env).stdout
    assert "mixed.pdf p. 2 · 스캔" in text
    again = json.loads(run(["index", "--json", *where], env).stdout.strip().splitlines()[-1])
    assert again["recognised"] == 0 and again["embedded"] == 0 and pages_read(log) == 4


def test_without_tesseract_the_scans_are_skipped_with_what_to_install(tmp_path, cli_env):
    corpus, index = make_corpus(tmp_path / "notes"), tmp_path / "index"
    env = dict(cli_env, STUDY_TESSERACT=str(tmp_path / "no-such-tesseract"))
    proc = run(["index", "--json", "--corpus", str(corpus), "--index", str(index)], env)
    rep = json.loads(proc.stdout.strip().splitlines()[-1])
    assert {s["path"] for s in rep["skipped"]} == {"scan.pdf", "photo.jpg", "mixed.pdf"}
    warned = [ln for ln in proc.stderr.splitlines() if "건너뜀" in ln]
    assert len(warned) == 3 and all("apt-get install tesseract-ocr tesseract-ocr-kor" in ln for ln in warned)
    out = json.loads(run(["search", "--json", "--mode", "keyword", "--corpus", str(corpus), "--index", str(index),
                          "서브넷 마스크"], env).stdout)
    assert out["hits"][0]["source"] == "mixed.pdf" and out["hits"][0]["page"] == 1  # its text page still counts
