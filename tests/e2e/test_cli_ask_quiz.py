"""`python -m tutor ask|quiz` as a user runs them (subprocesses over a copy of the seed index)."""
from __future__ import annotations

import csv
import json
import zipfile
from collections import Counter

import pytest

from tests.support.cli import run_cli

pytestmark = pytest.mark.slow  # the CLI in this process (tests/support/cli.py), over real indexes


def _run(args, env, cwd, stdin: str | None = None):
    return run_cli(args, env, cwd, input=stdin)


@pytest.fixture
def common(seed_corpus, seed_index_copy):
    return ["--corpus", str(seed_corpus), "--index", str(seed_index_copy)]


def _ask_file(common, env, cwd, option: str, text: str) -> list[dict]:
    """`ask --json OPTION FILE` over a file holding `text`: one JSON object per line printed."""
    path = cwd / "questions.txt"
    path.write_text(text, encoding="utf-8")
    r = _run(["ask", *common, "--json", option, str(path)], env, cwd)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    return [json.loads(x) for x in r.stdout.splitlines() if x.strip()]


def test_ask_json_one_object_per_question(common, cli_env, tmp_path):
    lines = _ask_file(common, cli_env, tmp_path, "--questions",
                      "Redshift 클러스터 간 데이터 공유\n\n김치찌개 맛있게 끓이는 법\n")
    assert len(lines) == 2
    first, second = lines
    assert set(first) >= {"question", "mode", "answer", "sources", "verdict", "covered"}
    assert first["covered"] is True and first["verdict"] is None
    assert first["mode"] == "template" and "[1]" in first["answer"]
    assert "3. Amazon Redshift Data Sharing" in first["sources"][0]["heading"]
    assert set(first["sources"][0]) >= {"rank", "source", "heading", "lines", "score", "text"}
    assert second["answer"].startswith("**노트에서 찾지 못했습니다** — ")
    assert second["covered"] is False and second["verdict"] == "unknown"


def test_ask_text_and_bad_input(common, cli_env, tmp_path):
    r = _run(["ask", *common, "EBS 볼륨 스냅샷으로 백업"], cli_env, tmp_path)
    assert r.returncode == 0, r.stderr
    assert "5. EC2 데이터 영속성" in r.stdout and "출처:" in r.stdout
    assert "**" not in r.stdout and "###" not in r.stdout and "```" not in r.stdout  # plain text
    r = _run(["ask", *common, "   "], cli_env, tmp_path)
    assert r.returncode == 2 and "오류" in r.stderr and "Traceback" not in r.stderr


def test_quiz_text_keeps_the_answers_for_the_end(common, cli_env, tmp_path):
    r = _run(["quiz", *common, "--n", "4", "--seed", "2"], cli_env, tmp_path)
    assert r.returncode == 0, r.stderr
    key = r.stdout.index("정답 (answers)")
    assert "[4]" in r.stdout[:key] and "정답:" not in r.stdout[:key]  # questions first, answers after
    assert r.stdout[key:].count("정답:") == 4 and "**" not in r.stdout
    r = _run(["quiz", *common, "--n", "2", "--seed", "2", "--answers"], cli_env, tmp_path)
    assert r.returncode == 0 and "정답 (answers)" not in r.stdout and r.stdout.count("정답:") == 2


def test_quiz_json_twenty_items_and_exports(common, cli_env, tmp_path):
    r = _run(["quiz", *common, "--n", "20", "--seed", "4", "--json"], cli_env, tmp_path)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["mode"] == "template" and len(data["items"]) == 20
    assert len(Counter(i["kind"] for i in data["items"])) >= 3
    for it in data["items"]:
        assert set(it) == {"id", "kind", "question", "options", "answer", "explanation", "source"}
    out_csv = tmp_path / "q.csv"
    out_apkg = tmp_path / "q.apkg"
    r = _run(["quiz", *common, "--n", "6", "--kinds", "mcq,ox", "--format", "csv", "--out", str(out_csv)],
             cli_env, tmp_path)
    assert r.returncode == 0, r.stderr
    with out_csv.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert len(rows) == 7 and {row[0] for row in rows[1:]} <= {"mcq", "ox"}
    r = _run(["quiz", *common, "--n", "5", "--topic", "Glue FLEX", "--format", "anki", "--out", str(out_apkg)],
             cli_env, tmp_path)
    assert r.returncode == 0, r.stderr
    assert zipfile.is_zipfile(out_apkg)
    r = _run(["quiz", *common, "--kinds", "essay"], cli_env, tmp_path)
    assert r.returncode == 2 and "essay" in r.stderr


def test_quiz_interactive_drill_scores(common, cli_env, tmp_path):
    # first: the same quiz as JSON, to know the answers
    r = _run(["quiz", *common, "--n", "3", "--seed", "1", "--kinds", "mcq,ox", "--json"], cli_env, tmp_path)
    items = json.loads(r.stdout)["items"]
    replies = [items[0]["answer"], "틀린 답", items[2]["answer"]]
    r = _run(["quiz", *common, "--n", "3", "--seed", "1", "--kinds", "mcq,ox", "--interactive"], cli_env,
             tmp_path, stdin="\n".join(replies) + "\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("✅ 정답입니다!") == 2 and r.stdout.count("❌ 오답입니다.") == 1
    assert "최종 점수: 2/3" in r.stdout
    assert "해설:" in r.stdout and "출처:" in r.stdout


def test_ask_chat_answers_each_turn_in_context(common, cli_env, tmp_path):
    turns = _ask_file(common, cli_env, tmp_path, "--chat",
                      "Glue FLEX 실행 클래스는 언제 쓰나요?\n\n그럼 쓰면 안 되는 경우는?\n")
    assert len(turns) == 2
    chat = tmp_path / "questions.txt"
    for t in turns:
        assert set(t) >= {"question", "mode", "answer", "sources"}
        assert "6. AWS Glue FLEX 실행 클래스" in t["sources"][0]["heading"]
    second = turns[1]["answer"]
    assert second.startswith("↪") and "실시간 처리" in second[:400] and "SLA 요구사항" in second[:400]
    # the same second line asked alone has no topic to go on
    r = _run(["ask", *common, "--json", "그럼 쓰면 안 되는 경우는?"], cli_env, tmp_path)
    assert not json.loads(r.stdout)["answer"].startswith("↪")
    r = _run(["ask", *common, "--chat", str(chat)], cli_env, tmp_path)
    assert r.returncode == 0 and r.stdout.count("❓") == 2 and "↪ 앞 질문의 주제" in r.stdout
    r = _run(["ask", *common, "--chat", str(chat), "질문"], cli_env, tmp_path)
    assert r.returncode == 2 and "하나만" in r.stderr
