"""Studying toward the exam from the command line (issue 18) as a learner runs it — subprocesses
over a copy of the seed index, the record in SQLite: `grade --batch` and `--at`, `plan`
(its JSON, no exam date, bad input), `review` following today's plan, `exam` and
`exam --submit` (the JSON shapes, a second submission, a late one), `optimize --json`. Bad input
is one line and exit code 2, and writes nothing."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.cli import run_cli

pytestmark = pytest.mark.slow  # the CLI in this process (tests/support/cli.py), over real indexes

GRADE_KEYS = ["user", "item_id", "correct", "expected", "rating", "due"]


def _run(args, env, cwd):
    return run_cli(args, env, cwd)


def _json(r) -> dict:
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    return json.loads(r.stdout)


def _refused(r, *words: str) -> str:
    """Exit code 2 and one line on stderr (Korean first) naming the problem."""
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    lines = [line for line in r.stderr.splitlines() if line.startswith("오류:")]
    assert len(lines) == 1, r.stderr
    assert all(w in lines[0] for w in words), lines[0]
    return lines[0]


def _iso(**delta) -> str:
    return (datetime.now(timezone.utc) + timedelta(**delta)).isoformat(timespec="seconds")


# The record behaves the same on both engines: the record tests of plan, batch grading, exams
# and optimize run on both (tests/integration/test_record_on_postgresql.py), and
# test_cli_record.py walks the command line through PostgreSQL; here the commands run on SQLite.
@pytest.fixture
def cli(seed_corpus, seed_index_copy, cli_env, tmp_path):
    """run(command, *args, env=…) for one learner's record."""
    url = f"sqlite:///{tmp_path / 'rec' / 'study.db'}"
    common = ["--corpus", str(seed_corpus), "--index", str(seed_index_copy), "--database", url]

    def run(*args, env: dict | None = None):
        return _run([args[0], *common, *args[1:]], {**cli_env, **(env or {})}, tmp_path)

    return run


def _attempts(run) -> int:
    return _json(run("progress", "--json", "--at", _iso(days=1)))["attempts"]


def test_grade_a_batch_file_and_one_answer_as_of_a_time(cli, tmp_path):
    run = cli
    items = _json(run("quiz", "--json", "--n", "3", "--seed", "5", "--kinds", "short"))["items"]
    batch = tmp_path / "answers.jsonl"
    batch.write_text("\n".join([
        json.dumps({"item_id": items[0]["id"], "answer": items[0]["answer"], "at": _iso(minutes=1)},
                   ensure_ascii=False),
        "{not json",
        "",
        json.dumps({"item_id": "short-nowhere", "answer": "x"}),
        json.dumps({"item_id": items[1]["id"], "answer": "전혀 모름", "rating": "hard"}, ensure_ascii=False),
        json.dumps({"item_id": items[2]["id"], "answer": "x", "at": "2001-01-01T09:00"}),
    ]) + "\n", encoding="utf-8")
    r = run("grade", "--batch", str(batch), "--json")
    assert r.returncode == 2 and "Traceback" not in r.stderr  # some lines were bad
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert [o.get("line") for o in out] == [None, 2, 4, None, 6]
    assert list(out[0]) == GRADE_KEYS and out[0]["correct"] is True
    assert list(out[3]) == GRADE_KEYS and out[3]["correct"] is False and out[3]["rating"] == "hard"
    for o in (out[1], out[2], out[4]):
        assert list(o) == ["line", "error"] and o["error"].startswith(f"줄 {o['line']}: ")
        assert f"오류: {o['error']}" in r.stderr.splitlines()
    assert _attempts(run) == 2  # the bad lines wrote nothing
    _refused(run("grade", items[2]["id"], "x", "--at", "2001-01-01"), "처음 본 시각보다 앞섭니다")
    _refused(run("grade", items[0]["id"], "x", "--at", "어제"), "ISO 8601")
    assert _attempts(run) == 2
    late = _json(run("grade", items[2]["id"], items[2]["answer"], "--at", _iso(minutes=5), "--json"))
    assert late["correct"] is True and _attempts(run) == 3


def test_plan_to_the_exam_review_follows_it_and_bad_input_is_refused(cli):
    run = cli
    _refused(run("plan"), "시험일이 없습니다")
    exam = (datetime.now().astimezone() + timedelta(days=20)).date()
    p = _json(run("plan", "--exam", exam.isoformat(), "--per-day", "15", "--json"))
    assert list(p) == ["user", "exam", "per_day", "target", "feasible", "needed_per_day", "days", "predicted"]
    assert (p["exam"], p["per_day"], p["target"], len(p["days"])) == (exam.isoformat(), 15, 0.9, 20)
    assert all(list(d) == ["date", "review", "new", "total"] and d["total"] <= 15 for d in p["days"])
    assert p["feasible"] is False and p["needed_per_day"] > 15  # the seed notes hold ~340 facts
    assert len(p["predicted"]["sections"]) == 7 and 0 <= p["predicted"]["overall"] <= 1
    for args, words in ((("--exam", "2020-01-01"), ("지났습니다",)), (("--exam", "2030-13-01"), ("YYYY-MM-DD",)),
                        (("--exam", exam.isoformat(), "--per-day", "0"), ("하루 학습량",)),
                        (("--exam", exam.isoformat(), "--target", "0.995"), ("목표 기억률",))):
        _refused(run("plan", *args), *words)
    # with an exam date (here STUDY_EXAM_DATE), review is today's planned session
    env = {"STUDY_EXAM_DATE": exam.isoformat()}
    today = _json(run("plan", "--json", env=env))["days"][0]
    queue = _json(run("review", "--json", env=env))
    assert len(queue["items"]) == today["total"] == 20 and {i["reason"] for i in queue["items"]} == {"new"}
    first = queue["items"][0]
    assert _json(run("grade", first["id"], first["answer"], "--json"))["correct"] is True  # shown to the learner
    assert _attempts(run) == 1


def test_exam_start_submit_once_and_late(cli, tmp_path):
    run = cli
    sheet = _json(run("exam", "--n", "8", "--seed", "4", "--json"))
    assert list(sheet) == ["exam_id", "minutes", "items"] and sheet["minutes"] == 12 and len(sheet["items"]) == 8
    assert all("answer" not in it and "explanation" not in it and it["source"] for it in sheet["items"])
    assert len({it["source"]["heading"].split(" > ")[1] for it in sheet["items"]}) == 7  # every section
    ids = [it["id"] for it in sheet["items"]]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"exam_id": sheet["exam_id"], "answers": {ids[0]: "A", "mcq-nowhere": "B"}}),
                   encoding="utf-8")
    _refused(run("exam", "--submit", str(bad), "--json"), "이 모의고사에 없는 문제")
    assert _attempts(run) == 0
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"exam_id": sheet["exam_id"], "answers": {i: "A" for i in ids[:5]}}),
                       encoding="utf-8")
    res = _json(run("exam", "--submit", str(answers), "--json"))
    assert list(res) == ["exam_id", "score", "correct", "total", "seconds", "sections", "missed"]
    assert res["total"] == 8 and res["correct"] + len(res["missed"]) == 8
    assert sum(s["total"] for s in res["sections"]) == 8 and all(list(s) == ["section", "correct", "total"]
                                                                 for s in res["sections"])
    assert all(list(m) == ["id", "question", "answer", "given", "source"] for m in res["missed"])
    assert {m["id"] for m in res["missed"] if m["given"] is None} == set(ids[5:])  # unanswered: wrong
    assert all(m["given"] == "A" for m in res["missed"] if m["id"] in ids[:5])
    assert _attempts(run) == 8
    _refused(run("exam", "--submit", str(answers), "--json"), "이미 제출한 모의고사")
    assert _attempts(run) == 8
    # after its time: accepted, marked late, with the time used
    old = _json(run("exam", "--n", "2", "--minutes", "1", "--seed", "9", "--at", _iso(minutes=-5), "--json"))
    answers.write_text(json.dumps({"exam_id": old["exam_id"], "answers": {}}), encoding="utf-8")
    r = run("exam", "--submit", str(answers), "--json")
    late = _json(r)
    assert late["seconds"] >= 240 and "늦은 제출" in r.stderr and late["correct"] == 0
    _refused(run("exam", "--n", "0"), "1~100")
    opt = _json(run("optimize", "--json"))
    assert list(opt) == ["user", "reviews", "fitted", "logloss_default", "logloss_fitted", "parameters"]
    assert opt["reviews"] == 10 and opt["fitted"] is False and len(opt["parameters"]) == 21
