"""The web app: rendering/escaping units, the notes tab logic in-process, and the launched app
over gradio_client (/ask, /search, /quiz, 20 concurrent /ask, localhost binding, basic auth).

The launched app runs `python app.py` in a subprocess on a free 127.0.0.1 port with a tmp
copy of corpus/ and a copy of the session's seed index (so nothing is re-embedded).
"""
from __future__ import annotations

import shutil
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bench.lib.app import app_env, copy_seed, free_port, start_app, stop_app, wait_for_app
from retriever import Hit
from tutor.common.types import Answer, Turn

SEED_FILE = "0910-aws-data-engineering.md"
XSS = "<script>alert(1)</script> <img src=x onerror=alert(1)>"


# -- rendering units (no server) -------------------------------------------------------

def test_esc_md_neutralises_html_and_links():
    from interfaces.web.render import esc_md

    out = esc_md(f"**굵게** {XSS} [x](javascript:alert(1)) ![t](http://e/x.png)\n[1]: javascript:alert(1)")
    assert "<script" not in out and "<img" not in out
    assert "&lt;script&gt;" in out and "&lt;img src=x onerror=alert(1)&gt;" in out
    assert "](" not in out and "![" not in out and "\n[1]:" not in out
    assert "**굵게**" in out  # markdown itself still works


def test_esc_md_code_fence_becomes_escaped_pre():
    from interfaces.web.render import esc_md

    out = esc_md("앞\n```sql\nWHERE d >= '2024' AND x <script>\n```\n뒤 <b>")
    assert "<pre><code>WHERE d &gt;= '2024' AND x &lt;script&gt;</code></pre>" in out
    assert out.endswith("뒤 &lt;b&gt;")
    # an unclosed fence still ends escaped
    assert "&lt;i&gt;" in esc_md("```\n<i>") and "<i>" not in esc_md("```\n<i>")


def test_search_html_escapes_note_text_and_marks_kiwi_terms(tokenizer):
    from interfaces.web.render import render_hits_html
    from retriever.highlight import match_spans

    hit = Hit(rank=1, score=2.5, source="x<b>.md", heading="제목 <i>",
              lines=(3, 9), text=f"파티션 프로젝션은 {XSS} 메타스토어를 우회합니다.")
    out = render_hits_html("파티션을 우회", "keyword", [hit], lambda text, q: match_spans(text, q, tokenizer))
    assert "<script" not in out and "<img" not in out and "<b>" not in out and "<i>" not in out
    assert "&lt;script&gt;" in out and "x&lt;b&gt;.md" in out
    assert "<mark>파티션</mark>" in out  # 파티션을 in the query marks 파티션
    assert "<mark>우회</mark>" in out
    assert "3–9행" in out and "점수 2.500" in out


def test_chat_messages_have_collapsible_escaped_sources():
    from interfaces.web.chat import chat_messages

    hit = Hit(rank=1, score=1.0, source=SEED_FILE, heading="A > B", lines=(5, 7), text=XSS + " 본문")
    msgs = chat_messages(Answer("q", "template", f"답 {XSS} [1]", (hit,), notice="LLM 시간 초과"))
    assert msgs[0]["role"] == "assistant" and "[1]" in msgs[0]["content"]
    assert "LLM 시간 초과" in msgs[0]["content"]
    assert msgs[1]["metadata"]["title"].startswith("📚 출처 1건")
    assert SEED_FILE in msgs[1]["content"] and "5–7행" in msgs[1]["content"]
    for m in msgs:
        assert "<script" not in m["content"] and "<img" not in m["content"]


# -- notes tab logic in-process ---------------------------------------------------------

def test_upload_reindex_and_search_while_reindexing(seed_corpus, seed_index_copy, tmp_path, model_dir):
    from interfaces.web.notes_view import notes_html, reindex_markdown, status_markdown, upload_markdown
    from studyapp import StudyApp
    from studyapp.settings import Settings

    corpus = tmp_path / "corpus"
    shutil.copytree(seed_corpus, corpus)
    sa = StudyApp(Settings.from_env({}, model_dir=model_dir, data_dir=tmp_path / "data", corpus_dir=corpus, index_dir=seed_index_copy))
    sa.open(report=lambda m: None)
    assert "✅ 최신" in status_markdown(sa) and "e5fast" in status_markdown(sa)
    assert SEED_FILE in notes_html(sa.note_rows())

    src = tmp_path / "새 노트.md"
    src.write_text("# 키네시스 샤드\n\nKinesis 샤드 분할로 처리량을 늘립니다. 쥬라기공원 테스트.\n", encoding="utf-8")
    msg = upload_markdown(sa.upload([str(src)]))
    assert "✅" in msg and "새 노트.md" in msg
    assert "새 파일 — 재색인 필요" in notes_html(sa.note_rows()) and "재색인하세요" in status_markdown(sa)
    assert "❌" in upload_markdown(sa.upload([str(tmp_path / "nope.exe")]))

    results, stop = [], threading.Event()

    def searcher():  # a search every few ms until the re-index is done (busy loops would starve it of the GIL)
        while not stop.wait(0.005):
            results.append(len(sa.search("파티션", "keyword", 3)))

    with ThreadPoolExecutor(2) as pool:
        futs = [pool.submit(searcher) for _ in range(2)]
        out = reindex_markdown(sa.reindex())
        stop.set()
        for f in futs:
            f.result()
    assert "재색인 완료" in out and "새로 임베딩 1" in out
    assert results and all(n == 3 for n in results)  # searches went on during the swap
    hits = sa.search("쥬라기공원", "keyword", 3)
    assert hits and hits[0].source == "새 노트.md"
    assert "새 노트.md" in sa.sources()
    assert "✅ 최신" in status_markdown(sa)


def test_quiz_exports_share_one_folder_and_keep_the_latest(seed_corpus, seed_index_dir, tmp_path, model_dir):
    import csv
    import zipfile

    from studyapp import StudyApp
    from studyapp.settings import Settings

    sa = StudyApp(Settings.from_env({}, model_dir=model_dir, corpus_dir=seed_corpus, index_dir=seed_index_dir, data_dir=tmp_path))
    sa._downloads.kept = 3
    sa.open(report=lambda m: None)
    session = sa.quiz_session("local", "Athena", 4, [], seed=1)
    assert session.items
    paths = [Path(sa.export_quiz(session.items, fmt)) for fmt in ("csv", "anki", "csv", "csv", "anki")]
    assert len({p.parent for p in paths}) == 1 and len(set(paths)) == 5
    folder = paths[0].parent
    assert sorted(folder.iterdir()) == sorted(paths[-3:])  # older exports pruned
    with open(paths[-2], encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:2] == ["kind", "question"] and len(rows) == len(session.items) + 1
    assert zipfile.is_zipfile(paths[-1])


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
            from gradio_client import Client

            Client(f"http://127.0.0.1:{port}/", auth=("learner", "wrong"), verbose=False)
    finally:
        stop_app(proc)


def test_chat_streams_deltas_then_final_answer_with_notice():
    """LLM mode streams: each delta updates the last message; the final Answer replaces it."""
    from interfaces.web.chat import chat_stream

    hit = Hit(rank=1, score=1.0, source=SEED_FILE, heading="H", lines=(1, 2), text="본문")

    class StubApp:  # the app's ask_stream without a library
        mode_label = "LLM: stub"

        def __init__(self):
            self.histories = []

        def ask_stream(self, question, history=None):
            self.histories.append(history)
            yield "파티션은 ", None
            yield "<b>나눔</b>입니다 [1]", None
            yield "", Answer(question, "llm", "파티션은 <b>나눔</b>입니다 [1]", (hit,),
                             notice="LLM 응답이 늦어 일부만 받았습니다")

    tutor = StubApp()
    steps = list(chat_stream(tutor, "파티션이 뭐야?", [], []))
    contents = [s[0][-1]["content"] for s in steps]
    assert contents[0].startswith("⏳")
    assert contents[1] == "파티션은  ▌" and "&lt;b&gt;나눔&lt;/b&gt;입니다 [1] ▌" in contents[2]
    final_msgs, history, box = steps[-1]
    assert box == "" and history == [Turn("파티션이 뭐야?", "파티션은 <b>나눔</b>입니다 [1]")]
    assert final_msgs[0] == {"role": "user", "content": "파티션이 뭐야?"}
    assert "⚠️ LLM 응답이 늦어" in final_msgs[1]["content"] and "<b>" not in final_msgs[1]["content"]
    assert final_msgs[2]["metadata"]["title"].startswith("📚 출처 1건")
    # the next turn passes the history on
    list(chat_stream(tutor, "더 자세히", final_msgs, history))
    assert tutor.histories[-1] == [Turn("파티션이 뭐야?", "파티션은 <b>나눔</b>입니다 [1]")]


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
