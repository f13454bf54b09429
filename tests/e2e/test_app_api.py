"""The launched app over gradio_client: /ask, /search, /quiz, 20 concurrent /ask, localhost
binding, basic auth, and a fresh start that serves keyword search before hybrid.

The launched app runs `python app.py` in a subprocess on a free 127.0.0.1 port with a tmp
copy of corpus/ and a copy of the session's seed index (so nothing is re-embedded).
"""
from __future__ import annotations

import shutil
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bench.lib.app import app_client, app_env, copy_seed, free_port, start_app, stop_app, wait_for_app

SEED_FILE = "0910-aws-data-engineering.md"
XSS = "<script>alert(1)</script> <img src=x onerror=alert(1)>"


# -- the launched app --------------------------------------------------------------------

@pytest.fixture(scope="module")
def app_dirs(seed_corpus, seed_index_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("app-api")
    return (root, *copy_seed(seed_corpus, seed_index_dir, root))


@pytest.fixture(scope="module")
def server(app_dirs):
    root, corpus, index = app_dirs
    port = free_port()
    env = app_env(corpus, index, port)
    env.pop("GRADIO_SERVER_NAME")  # exercise the default binding
    log = root / "app.log"
    proc = start_app(env, log)
    try:
        client = wait_for_app(proc, f"http://127.0.0.1:{port}/", log)
        yield {"client": client, "port": port, "log": log, "proc": proc}
    finally:
        stop_app(proc)


@pytest.mark.slow
def test_starts_from_existing_index_without_embedding(server):
    text = server["log"].read_text(errors="replace")
    assert "색인을 불러왔습니다" in text and "임베딩 중" not in text


@pytest.mark.slow
def test_listens_on_localhost_only_by_default(server):
    port_hex = f"{server['port']:04X}"
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            local, state = row.split()[1], row.split()[3]
            if local.endswith(":" + port_hex) and state == "0A":  # LISTEN
                listening.append(local.split(":")[0])
    assert listening == ["0100007F"], listening  # 127.0.0.1 only


@pytest.mark.slow
def test_api_endpoints_are_named(server):
    info = server["client"].view_api(print_info=False, return_format="dict")
    names = set(info["named_endpoints"])
    assert {"/ask", "/search", "/quiz"} <= names
    for name in ("/ask", "/search", "/quiz"):
        params = info["named_endpoints"][name]["parameters"]
        assert not params[0]["parameter_has_default"] or name == "/quiz"
        assert all(p["parameter_has_default"] for p in params[1:])


@pytest.mark.slow
def test_search_names_source_files_and_highlights(server):
    c = server["client"]
    r = c.predict("파티션을", api_name="/search")
    assert r["mode"] == "keyword" and len(r["hits"]) == 5
    assert all(h["source"] == SEED_FILE for h in r["hits"])
    assert "파티션" in r["hits"][0]["heading"]
    assert "«파티션»" in r["hits"][0]["highlighted"] and "«파티션을»" not in r["hits"][0]["highlighted"]
    h = c.predict("파티션 인덱스 생성", "hybrid", 2, api_name="/search")
    assert len(h["hits"]) == 2 and h["hits"][0]["lines"][0] >= 1
    assert c.predict("파티션", "keyword", 3, "없는파일.md", api_name="/search")["hits"] == []
    with pytest.raises(Exception, match="검색 방식"):
        c.predict("파티션", "fuzzy", api_name="/search")


@pytest.mark.slow
def test_ask_answers_with_citations_and_sources(server):
    md = server["client"].predict("Athena 파티션 프로젝션은 왜 쓰나요?", api_name="/ask")
    assert "[1]" in md and "**출처**" in md
    assert f"[1] {SEED_FILE}:" in md
    assert "파티션" in md.split("**출처**")[0]


@pytest.mark.slow
def test_quiz_returns_items_with_sources(server):
    c = server["client"]
    q = c.predict("파티션", api_name="/quiz")
    assert q["items"] and q["mode"] in ("template", "llm")
    for it in q["items"]:
        assert it["question"] and it["answer"] and it["source"]["source"] == SEED_FILE
    mcq = c.predict("Kinesis", 3, "mcq", 1, api_name="/quiz")
    assert 1 <= len(mcq["items"]) <= 3
    assert all(it["kind"] == "mcq" and len(it["options"]) == 4 and it["answer"] in it["options"]
               for it in mcq["items"])
    with pytest.raises(Exception, match="문항 유형"):
        c.predict("Kinesis", 3, "essay", api_name="/quiz")


@pytest.mark.slow
def test_twenty_concurrent_asks_all_succeed(server):
    c = server["client"]
    topics = ["파티션 프로젝션", "Data Exchange", "Graviton", "Glue FLEX", "Athena Workgroup"]
    questions = [f"{topics[i % len(topics)]}에 대해 알려줘 ({i})" for i in range(20)]
    t0 = time.perf_counter()
    jobs = [c.submit(q, api_name="/ask") for q in questions]
    results = [j.result(timeout=180) for j in jobs]
    elapsed = time.perf_counter() - t0
    assert len(results) == 20
    for md in results:
        assert isinstance(md, str) and "[1]" in md and SEED_FILE in md
    print(f"\n20 concurrent /ask: {elapsed:.1f}s total")


@pytest.mark.slow
def test_basic_auth(app_dirs):
    root, corpus, index = app_dirs
    port = free_port()
    log = root / "auth.log"
    proc = start_app(app_env(corpus, index, port, STUDY_AUTH="learner:s3cret"), log)
    try:
        c = wait_for_app(proc, f"http://127.0.0.1:{port}/", log, auth=("learner", "s3cret"))
        assert c.predict("파티션", api_name="/search")["hits"]
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/config", timeout=10)
        assert e.value.code in (401, 403)
        with pytest.raises(Exception):
            app_client(f"http://127.0.0.1:{port}/", ("learner", "wrong"))
    finally:
        stop_app(proc)


@pytest.mark.slow
def test_fresh_notes_keyword_search_first_then_hybrid(seed_corpus, tmp_path):
    """No index yet: the app starts serving keyword search while it embeds, and hybrid
    switches on by itself once the vectors are written."""
    corpus = tmp_path / "corpus"
    shutil.copytree(seed_corpus, corpus)
    port = free_port()
    log = tmp_path / "fresh.log"
    proc = start_app(app_env(corpus, tmp_path / "index", port), log)
    try:
        client = wait_for_app(proc, f"http://127.0.0.1:{port}/", log)
        first = client.predict("파티션을", "keyword", 3, "", api_name="/search")
        assert first["hits"] and "keyword" in first["live_modes"]
        deadline = time.monotonic() + 300
        while True:
            res = client.predict("파티션 프로젝션은 왜 쓰나요?", "hybrid", 3, "", api_name="/search")
            if "hybrid" in res["live_modes"]:
                break
            assert time.monotonic() < deadline, "vectors never finished"
            time.sleep(0.5)  # poll interval of the wait
        assert res["hits"] and "2. Amazon Athena" in res["hits"][0]["heading"]
        assert (tmp_path / "index" / "CURRENT").exists()
    finally:
        stop_app(proc)


@pytest.mark.slow
def test_guide_endpoint_gives_the_study_guide_and_one_line_errors(server):
    c = server["client"]
    g = c.predict("", api_name="/guide")
    assert len(g["sections"]) == 7 and g["sections"][0]["scenario"]["text"]
    flex = c.predict("Glue FLEX", api_name="/guide")["sections"]
    assert [s["section"] for s in flex] == ["6. AWS Glue FLEX 실행 클래스 - 비용 최적화"]
    with pytest.raises(Exception, match="맞는 단원이 없습니다"):
        c.predict("쿠버네티스", api_name="/guide")
