"""The learning record from the command line (issue 9, point 8): `quiz` records what it shows,
`grade`, `review`, `wrong`, `progress`, `--at`, `--user`, `--database`, bad input — as a user
runs them (over a copy of the seed index): in this process on SQLite, as `python -m tutor`
processes on PostgreSQL."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
import zipfile

import pytest

from tests.support.cli import run_cli

pytestmark = pytest.mark.slow  # the CLI in this process (tests/support/cli.py); processes on PostgreSQL


def _process(args, env, cwd, stdin: str | None = None):
    """A real `python -m tutor` process (the walk-through on PostgreSQL runs as processes)."""
    return subprocess.run([sys.executable, "-m", "tutor", *args], env=env, cwd=cwd, input=stdin,
                          capture_output=True, text=True, encoding="utf-8", timeout=240)


def _json(r) -> dict:
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    return json.loads(r.stdout)


# The record behaves the same on both engines (the record tests run on both, tests/integration);
# here one command-line walk-through runs on each, the rest on SQLite (a CLI run costs seconds).
BOTH = pytest.mark.parametrize("cli", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def cli(request, seed_corpus, seed_index_copy, cli_env, tmp_path):
    """(run, database URL) for one learner's record on each backend."""
    if getattr(request, "param", "sqlite") == "sqlite":
        url, runner = f"sqlite:///{tmp_path / 'rec' / 'study.db'}", run_cli
    else:  # as a class runs it: separate processes against one server
        url, runner = request.getfixturevalue("postgres_cluster").create_database(), _process
    common = ["--corpus", str(seed_corpus), "--index", str(seed_index_copy), "--database", url]

    def run(*args, stdin=None):
        return runner([args[0], *common, *args[1:]], cli_env, tmp_path, stdin)

    return run, url


@BOTH
def test_quiz_records_items_then_grade_review_wrong_progress(cli):
    run, _ = cli
    quiz = _json(run("quiz", "--json", "--n", "6", "--seed", "3", "--kinds", "mcq,short"))
    items = quiz["items"]
    assert len(items) == 6
    mcq = next(i for i in items if i["kind"] == "mcq")
    wrong_option = next(o for o in mcq["options"] if o != mcq["answer"])
    right_letter = "ABCD"[mcq["options"].index(mcq["answer"])]

    g = _json(run("grade", mcq["id"], wrong_option, "--json"))
    assert set(g) == {"user", "item_id", "correct", "expected", "rating", "due"}
    assert g["user"] == "local" and g["correct"] is False and g["rating"] == "again" and g["due"]
    g2 = _json(run("grade", mcq["id"], right_letter, "--rating", "easy", "--json"))
    assert g2["correct"] is True and g2["rating"] == "easy" and g2["due"] > g["due"]
    short = next(i for i in items if i["kind"] == "short")
    assert _json(run("grade", short["id"], "전혀 다른 대답", "--json"))["correct"] is False

    wrong = _json(run("wrong", "--json"))
    assert [w["id"] for w in wrong["items"]] == [short["id"]]  # the mcq's latest answer was right
    assert wrong["items"][0]["last_answer"] == "전혀 다른 대답" and wrong["items"][0]["wrong_count"] == 1
    assert set(wrong["items"][0]) == {"id", "question", "answer", "last_answer", "wrong_count", "source"}

    queue = _json(run("review", "--n", "6", "--json"))
    answered = {mcq["id"], short["id"]}  # due again only in minutes: not yet in the queue
    assert queue["user"] == "local"
    assert {e["id"] for e in queue["items"]} == {i["id"] for i in items} - answered
    assert {e["reason"] for e in queue["items"]} <= {"weak", "new"}
    assert all({"id", "kind", "question", "options", "answer", "source", "reason", "due"} <= set(e)
               for e in queue["items"])

    prog = _json(run("progress", "--json"))
    assert set(prog) == {"user", "attempts", "correct", "streak_days", "due_now", "sections", "exam", "horizon"}
    assert prog["attempts"] == 3 and prog["correct"] == 1 and prog["streak_days"] == 1
    studied = [s for s in prog["sections"] if s["attempts"]]
    assert studied and all(set(s) == {"section", "seen", "attempts", "accuracy", "mastery", "due"}
                           for s in prog["sections"])
    assert sum(s["attempts"] for s in prog["sections"]) == 3


def test_at_plans_ahead_and_users_are_apart(cli):
    run, _ = cli
    items = _json(run("quiz", "--json", "--n", "2", "--seed", "1", "--kinds", "short"))["items"]
    _json(run("grade", items[0]["id"], "틀린 답", "--json"))
    now = _json(run("review", "--n", "5", "--json"))
    later = _json(run("review", "--n", "5", "--at", "2099-01-01T09:00", "--json"))
    assert items[0]["id"] in [e["id"] for e in later["items"] if e["reason"] == "due"]
    assert now["items"] != later["items"]
    other = _json(run("progress", "--user", "friend", "--json"))
    assert other["user"] == "friend" and other["attempts"] == 0
    r = run("grade", items[0]["id"], "답", "--user", "friend")
    assert r.returncode == 2 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_interactive_quiz_records_every_answer(cli):
    run, _ = cli
    r = run("quiz", "--interactive", "--n", "3", "--seed", "2", "--kinds", "ox", stdin="O\nX\nO\n")
    assert r.returncode == 0, r.stderr
    assert "학습 기록에 저장됨" in r.stdout
    prog = _json(run("progress", "--json"))
    assert prog["attempts"] == 3


def test_wrong_exports_csv_and_anki(cli, tmp_path):
    run, _ = cli
    items = _json(run("quiz", "--json", "--n", "2", "--seed", "4", "--kinds", "short"))["items"]
    for it in items:
        _json(run("grade", it["id"], "모르겠음", "--json"))
    out_csv, out_apkg = tmp_path / "wrong.csv", tmp_path / "wrong.apkg"
    assert run("wrong", "--out", str(out_csv)).returncode == 0
    with open(out_csv, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert len(rows) == 3 and any("모르겠음" in cell for cell in rows[1])
    assert run("wrong", "--format", "anki", "--out", str(out_apkg)).returncode == 0
    assert zipfile.is_zipfile(out_apkg)


@pytest.mark.parametrize("args", [
    ("grade", "mcq-0000000000", "답"),  # unknown item
    ("grade", "x", ""),  # empty answer
    ("review", "--at", "어제쯤"),  # bad time
    ("grade", "x", "y", "--rating", "perfect"),  # bad rating (argparse)
])
def test_bad_input_is_one_line(cli, args):
    run, _ = cli
    r = run(*args)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert r.stderr.strip()


def test_a_database_that_cannot_connect_fails_cleanly(seed_corpus, seed_index_copy, cli_env, tmp_path):
    r = _process(["quiz", "--corpus", str(seed_corpus), "--index", str(seed_index_copy), "--json", "--out",
              str(tmp_path / "q.csv"), "--database", "postgresql+psycopg://nobody:secret@127.0.0.1:1/none"],
                 cli_env, tmp_path)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr and "secret" not in r.stderr
    assert len([ln for ln in r.stderr.splitlines() if ln.startswith("오류")]) == 1
    assert not (tmp_path / "q.csv").exists() and not (tmp_path / "data").exists()
