"""The web page's views in-process: escaping and rendering, the chat stream, the notes tab's
upload and re-index (searches go on meanwhile) and the download folder of quiz exports."""
from __future__ import annotations

import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.support.apps import make_app
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

def test_upload_reindex_and_search_while_reindexing(seed_corpus, seed_index_copy, tmp_path, embedder):
    from interfaces.web.notes_view import notes_html, reindex_markdown, status_markdown, upload_markdown

    corpus = tmp_path / "corpus"
    shutil.copytree(seed_corpus, corpus)
    sa = make_app(corpus, seed_index_copy, tmp_path / "data", embedder)
    assert "✅ 최신" in status_markdown(sa) and embedder.id in status_markdown(sa)
    assert SEED_FILE in notes_html(sa.note_rows())

    src = tmp_path / "새 노트.md"
    src.write_text("# 키네시스 샤드\n\nKinesis 샤드 분할로 처리량을 늘립니다. 쥬라기공원 테스트.\n", encoding="utf-8")
    results, stop = [], threading.Event()

    def searcher():  # a search every few ms until the re-index is done (busy loops would starve it of the GIL)
        while not stop.wait(0.005):
            results.append(len(sa.search("파티션", "keyword", 3)))

    with ThreadPoolExecutor(2) as pool:
        futs = [pool.submit(searcher) for _ in range(2)]
        msg = upload_markdown(sa.upload([str(src)]))  # an upload re-indexes by itself, in the background
        assert "✅" in msg and "새 노트.md" in msg and "색인에 반영하는 중" in msg
        assert "재색인하세요" not in status_markdown(sa)  # the app says it does it, not that you must
        deadline = time.monotonic() + 120
        while not ("새 노트.md" in sa.sources() and not sa.state.building) and time.monotonic() < deadline:
            stop.wait(0.05)  # wait on the condition: the new note indexed and the build over
        stop.set()
        for f in futs:
            f.result()
    assert "❌" in upload_markdown(sa.upload([str(tmp_path / "nope.exe")]))
    assert results and all(n == 3 for n in results)  # searches went on during the swap
    hits = sa.search("쥬라기공원", "keyword", 3)
    assert hits and hits[0].source == "새 노트.md"
    assert "✅ 최신" in status_markdown(sa) and "색인됨" in notes_html(sa.note_rows())
    out = reindex_markdown(sa.reindex())
    assert "변경 없음" in out and "이미 노트와 같습니다" in out


def test_the_notes_notice_says_who_reindexes():
    from interfaces.web.notes_view import freshness

    assert freshness({"up_to_date": True}) == "✅ 최신"
    assert "자동으로" in freshness({"up_to_date": False, "auto": True})
    assert "재색인하세요" in freshness({"up_to_date": False, "auto": False})
    assert "색인하는 중" in freshness({"up_to_date": False, "auto": True, "building": True})


def test_quiz_exports_share_one_folder_and_keep_the_latest(seed_corpus, seed_index_dir, tmp_path, embedder):
    import csv
    import zipfile

    sa = make_app(seed_corpus, seed_index_dir, tmp_path, embedder)
    sa._downloads.kept = 3
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


def test_open_pages_ask_often_only_while_the_index_builds():
    """An idle page's timers tick every IDLE_SECONDS (each tick is a round trip through the
    server's queue), every BUSY_SECONDS while a build runs; the timer is updated only when its
    pace changes."""
    import gradio as gr

    from interfaces.web.status import BUSY_SECONDS, IDLE_SECONDS, paced, poll_seconds
    from studyapp import IndexState

    class App:
        def __init__(self, building: bool):
            self.state = IndexState(building, 3, 40, 0.1, "", ("keyword",))

    assert BUSY_SECONDS < IDLE_SECONDS
    assert poll_seconds(App(True)) == BUSY_SECONDS and poll_seconds(App(False)) == IDLE_SECONDS
    pace, update = paced(gr, App(False), IDLE_SECONDS)
    assert pace == IDLE_SECONDS and not isinstance(update, gr.Timer)  # unchanged: no update sent
    pace, update = paced(gr, App(True), IDLE_SECONDS)
    assert pace == BUSY_SECONDS and isinstance(update, gr.Timer) and update.value == BUSY_SECONDS
