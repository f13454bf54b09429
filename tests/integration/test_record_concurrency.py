"""Durability and concurrency of the learning record, with real processes, on SQLite and on a
real PostgreSQL server: a printed grade survives SIGKILL; 20 processes grading at once lose
nothing; processes sharing one database each keep their own user's record. No sleeps: the
parent waits on the children's output lines and exit codes."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from learning import LearningRecord
from learning.db import open_database
from learning.models import ATTEMPTS, CARDS

ROOT = Path(__file__).resolve().parents[2]

CHILD_PRELUDE = """
import json, os, signal, sys
from datetime import timezone
from learning import ItemContext, LearningRecord
from tutor.common.types import QuizItem, SourceRef

def items(n):
    return [ItemContext.from_text(QuizItem(f"short-{k}", "short", f"문제 {k}", (), f"정답{k}", "설명",
                                           SourceRef("a.md", "제목", (k + 1, k + 1))), "1. 섹션", f"원문 {k}")
            for k in range(n)]
"""

KILL_CHILD = CHILD_PRELUDE + """
rec = LearningRecord.open(sys.argv[1], tz=timezone.utc)
rec.show("ann", items(3))
for k, given in enumerate(["정답0", "틀린 답", "정답2"]):
    res = rec.record_attempt("ann", f"short-{k}", given, given == f"정답{k}")
    print(json.dumps(res.to_dict(), ensure_ascii=False), flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # no close, no atexit, no flush of anything else
"""

GRADER_CHILD = CHILD_PRELUDE + """
url, user, tag, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
rec = LearningRecord.open(url, tz=timezone.utc)   # all children migrate a fresh database at once
rec.show(user, items(n))
print("ready", flush=True)
sys.stdin.readline()                                # the parent's "go": everyone grades together
for k in range(n):
    rec.record_attempt(user, f"short-{k}", f"{tag}-{k}", k % 2 == 0)
print(json.dumps({"done": tag, "attempts": rec.progress(user).attempts}), flush=True)
"""


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUDY_")}
    env["PYTHONPATH"] = str(ROOT)
    env["HF_HUB_OFFLINE"] = "1"
    return env


def _spawn(script: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", script, *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(), cwd=ROOT)


def _rows(url: str, table, user: str) -> list:
    db = open_database(url)
    try:
        with db.engine.connect() as conn:
            return list(conn.execute(sa.select(table).where(table.c.user_id == user)))
    finally:
        db.dispose()


def test_a_printed_grade_survives_sigkill(record_url):
    child = _spawn(KILL_CHILD, record_url)
    out, err = child.communicate(timeout=300)
    assert child.returncode == -signal.SIGKILL, err
    printed = [json.loads(line) for line in out.splitlines()]
    assert [p["item_id"] for p in printed] == ["short-0", "short-1", "short-2"]
    attempts = _rows(record_url, ATTEMPTS, "ann")
    assert sorted(a.given for a in attempts) == sorted(["정답0", "틀린 답", "정답2"])
    with LearningRecord.open(record_url, tz=timezone.utc) as rec:
        wrong = rec.wrong("ann")
        assert [e.item.id for e in wrong.items] == ["short-1"] and wrong.items[0].last_answer == "틀린 답"
        far = datetime.now(timezone.utc) + timedelta(days=3650)
        due = {e.item.id: e.due for e in rec.review("ann", n=10, at=far).items}
    for p in printed:  # the schedule the child printed is the one stored
        assert due[p["item_id"]].isoformat(timespec="seconds") == p["due"]


@pytest.mark.slow  # twenty interpreters at once: ~11 s per backend
def test_twenty_processes_grading_at_once_lose_nothing(record_url):
    n_proc, n_items = 20, 5
    children = [_spawn(GRADER_CHILD, record_url, "class", f"p{i:02d}", str(n_items)) for i in range(n_proc)]
    try:
        for c in children:
            line = c.stdout.readline()
            assert line.strip() == "ready", c.stderr.read()
        for c in children:
            c.stdin.write("go\n")
            c.stdin.flush()
        outs = [c.communicate(timeout=600) for c in children]
    finally:
        for c in children:
            if c.poll() is None:
                c.kill()
    for c, (out, err) in zip(children, outs):
        assert c.returncode == 0, err
        assert json.loads(out)["attempts"] >= n_items
    attempts = _rows(record_url, ATTEMPTS, "class")
    expected = {f"p{i:02d}-{k}" for i in range(n_proc) for k in range(n_items)}
    assert len(attempts) == n_proc * n_items and {a.given for a in attempts} == expected
    cards = _rows(record_url, CARDS, "class")
    assert len(cards) == n_items  # 20 processes showed the same items: one card each
    assert sorted(c.reps for c in cards) == [n_proc] * n_items  # no lost card update
    with LearningRecord.open(record_url, tz=timezone.utc) as rec:
        assert rec.progress("class").attempts == n_proc * n_items


def test_two_processes_sharing_one_database_both_record(record_url):
    children = [_spawn(GRADER_CHILD, record_url, user, user, "3") for user in ("ann", "bob")]
    for c in children:
        assert c.stdout.readline().strip() == "ready", c.stderr.read()
        c.stdin.write("go\n")
        c.stdin.flush()
    for c in children:
        out, err = c.communicate(timeout=300)
        assert c.returncode == 0, err
        assert json.loads(out)["attempts"] == 3  # each sees exactly its own user's answers
    with LearningRecord.open(record_url, tz=timezone.utc) as rec:
        for user in ("ann", "bob"):
            assert rec.progress(user).attempts == 3
            assert {e.last_answer for e in rec.wrong(user).items} == {f"{user}-1"}
