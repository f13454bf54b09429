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


# Twenty graders as twenty processes forked from one interpreter that has imported the record
# once (twenty fresh interpreters spent ~1.5 s of CPU each importing it). Each child opens its
# own connection and migrates the fresh database at once with the others; a closed pipe is
# the "go" every child waits on, so they grade together.
FORKED_GRADERS = CHILD_PRELUDE + """
url, user, n_proc, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
go_r, go_w = os.pipe()
children = []
for i in range(n_proc):
    out_r, out_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(go_w); os.close(out_r)
        try:
            tag = f"p{i:02d}"
            rec = LearningRecord.open(url, tz=timezone.utc)
            rec.show(user, items(n))
            os.write(out_w, b"ready\\n")
            os.read(go_r, 1)                        # EOF when the parent closes the pipe: go
            for k in range(n):
                rec.record_attempt(user, f"short-{k}", f"{tag}-{k}", k % 2 == 0)
            line = json.dumps({"done": tag, "attempts": rec.progress(user).attempts})
            os.write(out_w, line.encode() + b"\\n")
            os._exit(0)
        except BaseException as exc:
            os.write(out_w, json.dumps({"error": repr(exc)}).encode() + b"\\n")
            os._exit(1)
    os.close(out_w)
    children.append((pid, os.fdopen(out_r)))
for pid, out in children:                       # every child has shown its items
    line = out.readline()
    assert line.strip() == "ready", line
os.close(go_w)
for pid, out in children:
    line = out.readline().strip()
    _, status = os.waitpid(pid, 0)
    print(json.dumps({"pid": pid, "status": status, "line": line}), flush=True)
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


@pytest.mark.slow  # twenty processes at once
def test_twenty_processes_grading_at_once_lose_nothing(record_url):
    n_proc, n_items = 20, 5
    parent = _spawn(FORKED_GRADERS, record_url, "class", str(n_proc), str(n_items))
    out, err = parent.communicate(timeout=600)
    assert parent.returncode == 0, err
    results = [json.loads(line) for line in out.splitlines()]
    assert len(results) == n_proc and len({r["pid"] for r in results}) == n_proc
    for r in results:
        assert r["status"] == 0, r["line"]
        assert json.loads(r["line"])["attempts"] >= n_items
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
