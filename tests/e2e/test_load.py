"""A small load run (issue 10, point 7): 10 simulated learners for 15 s (`python -m bench.load` with the
Locust scenario bench/locustfile.py) against the launched app — no failed request and no lost
attempt (the attempts in the database equal the grades acknowledged, user by user)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bench.lib.paths import ROOT

pytestmark = pytest.mark.slow  # launches the app and Locust for ~1 min


def test_ten_learners_for_fifteen_seconds(seed_index_dir):
    r = subprocess.run([sys.executable, "-m", "bench.load", "--users", "10", "--run-time", "15",
                        "--index", str(seed_index_dir), "--json"],
                       cwd=str(ROOT), capture_output=True, text=True, timeout=900)
    assert r.stdout.strip(), r.stderr[-3000:]
    res = json.loads(r.stdout.strip().splitlines()[-1])
    detail = json.dumps({k: v for k, v in res.items() if k != "locust_log"}, ensure_ascii=False)
    assert res["failures"] == 0, detail + res["locust_log"]
    assert res["lost_attempts"] == 0 and res["unacknowledged_attempts"] == 0, detail
    assert res["grades_acknowledged"] > 0 and res["attempts_in_db"] == res["grades_acknowledged"], detail
    assert set(res["endpoints"]) == {"/ask", "/search", "/quiz", "/grade", "/review", "/progress"}, detail
    assert all(e["requests"] > 0 and e["failures"] == 0 for e in res["endpoints"].values()), detail
    assert r.returncode == 0, detail
