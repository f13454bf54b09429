"""Accounts and the teacher's view from the command line (issue 23): `users import` all or
nothing with the bad line's number, `users add/passwd/list/remove` with passwords from stdin or a
file (never the command line), `class progress|items|retire` for teachers only — as a teacher
runs them (subprocesses over a copy of the seed index, the record in SQLite). No password is in
the database or in any output."""
from __future__ import annotations

import json
import sqlite3

import pytest

from tests.support.cli import run_cli

pytestmark = pytest.mark.slow  # the CLI in this process (tests/support/cli.py)

PW = {"kim": "teacher-pw-01", "ann": "ann-secret-02", "bob": "bob-secret-03", "cho": "cho-secret-04",
      "ann2": "ann-new-secret-05"}


@pytest.fixture
def cli(seed_corpus, seed_index_copy, cli_env, tmp_path):
    db = tmp_path / "rec" / "study.db"
    common = ["--database", f"sqlite:///{db}"]
    notes = ["--corpus", str(seed_corpus), "--index", str(seed_index_copy)]
    outputs: list[str] = []

    def run(*args, stdin=None, index=False):
        r = run_cli([*args, *common, *(notes if index else [])], cli_env, tmp_path, input=stdin)
        outputs.append(r.stdout + r.stderr)
        assert "Traceback" not in r.stderr, r.stderr
        return r

    run.db, run.outputs = db, outputs
    return run


def test_accounts_and_the_teachers_view_from_the_command_line(cli, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(f"name,password,role\nkim,{PW['kim']},teacher\nann\n", encoding="utf-8")
    r = cli("users", "import", str(bad))
    assert r.returncode == 2 and "줄 3" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert json.loads(cli("users", "list", "--json").stdout) == []  # nothing imported
    good = tmp_path / "roster.csv"
    good.write_text(f"name,password,role\nkim,{PW['kim']},teacher\nann,{PW['ann']}\nbob,{PW['bob']},learner\n",
                    encoding="utf-8")
    assert cli("users", "import", str(good)).returncode == 0
    assert cli("users", "add", "cho", "--password-stdin", stdin=PW["cho"] + "\n").returncode == 0
    again = cli("users", "add", "cho", "--password-stdin", stdin=PW["cho"] + "\n")
    assert again.returncode == 2 and "cho" in again.stderr
    no_tty = cli("users", "add", "dan", stdin="")
    assert no_tty.returncode == 2 and "--password-stdin" in no_tty.stderr
    pw_file = tmp_path / "pw.txt"
    pw_file.write_text(PW["ann2"] + "\n", encoding="utf-8")
    assert cli("users", "passwd", "ann", "--password-file", str(pw_file)).returncode == 0
    assert cli("users", "remove", "bob").returncode == 0
    listed = json.loads(cli("users", "list", "--json").stdout)
    assert [(a["name"], a["role"]) for a in listed] == [("ann", "learner"), ("cho", "learner"), ("kim", "teacher")]
    assert all(set(a) == {"name", "role", "created_at", "updated_at"} for a in listed)

    refused = cli("class", "progress", "--user", "ann", index=True)
    assert refused.returncode == 2 and "교사만" in refused.stderr
    quiz = json.loads(cli("quiz", "--topic", "Athena", "--n", "2", "--kinds", "short", "--seed", "4", "--user", "ann", "--json",
                          index=True).stdout)
    item = quiz["items"][0]["id"]
    assert cli("grade", item, "전혀 모르겠어요", "--user", "ann", index=True).returncode == 0
    cp = json.loads(cli("class", "progress", "--user", "kim", "--json", index=True).stdout)
    learners = {s["user"]: s for s in cp["learners"]}
    assert learners["ann"]["attempts"] == 1 and "cho" in cp["inactive"] and "kim" not in learners
    assert json.loads(cli("class", "items", "--user", "kim", "--json", index=True).stdout)["min_answers"] == 10
    review = ["review", "--user", "ann", "--at", "2099-01-01T09:00", "--json"]
    assert item in [e["id"] for e in json.loads(cli(*review, index=True).stdout)["items"]]
    assert cli("class", "retire", item, "--user", "kim", index=True).returncode == 0
    assert item not in [e["id"] for e in json.loads(cli(*review, index=True).stdout)["items"]]

    with sqlite3.connect(cli.db) as conn:
        hashes = [h for (h,) in conn.execute("SELECT password_hash FROM learning_users")]
        dump = "\n".join(conn.iterdump())
    assert len(hashes) == 3 and all(h.startswith("$argon2id$") for h in hashes)
    for pw in PW.values():
        assert pw not in dump and not any(pw in out for out in cli.outputs)
