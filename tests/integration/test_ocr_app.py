"""Scanned notes through the application's one door (issue 20), with the real Tesseract and the
real model: the status line while scanned pages are read (results from them arrive without a
restart), answers, search hits, quiz items and the 단원 요약 from scanned pages with their page and the scan
mark, 노트 관리's rows, and a restart that reads no page again."""
from __future__ import annotations

import time

import pytest

from tests.support.apps import make_app
from tests.support.ocr import make_corpus, pages_read, wrapper
from tests.support.services import need_tesseract

pytestmark = pytest.mark.slow


def wait_for(cond, what: str, timeout: float = 900.0) -> None:  # a first run materialises the model
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)  # poll interval of the wait, not a wait for a fixed time


@pytest.fixture(scope="module")
def scanned_app(tmp_path_factory, embedder):
    """The app over a scanned notes folder, opened while Tesseract is held after two pages."""
    from interfaces.web.status import index_state_markdown

    real = need_tesseract()
    root = tmp_path_factory.mktemp("ocr-app")
    corpus = make_corpus(root / "notes")
    gate = root / "go"
    exe, log = wrapper(root / "bin", real, gate=gate)
    # one page at a time, each published as soon as it is read (the default batches 15 s of pages);
    # the held page must not run out of its time while the first ones are embedded and published
    settings = dict(tesseract=str(exe), ocr_workers=1, ocr_publish_seconds=0, ocr_page_seconds=900,
                    watch_seconds=0)
    app = make_app(corpus, root / "index", root / "data", embedder, **settings)
    try:  # the text notes serve first; then pages join as they are read
        wait_for(lambda: app.state.ocr_done >= 2 and app.search("포트 미러링 패킷 복제", mode="keyword", k=1),
                 "two recognised pages in the search")
        during = {"state": app.state, "line": index_state_markdown(app), "readiness": app.readiness(),
                  "freshness": app.index_status()["scanning"], "pending": app.index_status()["vectors_pending"],
                  "hybrid": app.search("포트 미러링 패킷 복제", mode="hybrid", k=1)}
    finally:
        gate.touch()
    wait_for(lambda: not app.state.building, "the end of the build")
    return app, during, dict(root=root, corpus=corpus, log=log, settings=settings)


def test_the_status_line_counts_pages_and_results_arrive_without_a_restart(scanned_app):
    _, during, _ = scanned_app
    st = during["state"]
    assert st.building and st.ocr_running and (st.ocr_done, st.ocr_total) == (2, 4)
    assert "스캔 페이지 인식 중 2/4" in during["line"]
    assert during["readiness"].startswith("스캔 페이지 인식 중 2/4")
    assert during["freshness"] == "스캔 페이지 인식 중 2/4 · 의미 검색은 인식 후"
    # the recognised pages' vectors wait for the last page: hybrid finds them by their keyword score
    assert during["pending"] > 0 and (during["hybrid"][0].source, during["hybrid"][0].ocr) == ("photo.jpg", True)


def test_answers_hits_and_quiz_items_from_scans_carry_their_page(scanned_app):
    from studyapp import location

    app, _, _ = scanned_app
    assert not app.state.error and not app.state.ocr_running
    hit = app.search("라우터 점검 주기", mode="hybrid", k=1)[0]
    assert (hit.source, hit.page, hit.ocr) == ("scan.pdf", 1, True)
    assert location(hit.source, hit.lines, hit.page, hit.ocr) == "scan.pdf p. 1 · 스캔"
    ans = app.ask("방화벽 규칙은 언제 검토하나요?")
    cited = [(x["source"], x["page"], x.get("ocr")) for x in ans.to_dict()["sources"]]
    assert ("scan.pdf", 2, True) in cited  # the section spans both scanned pages: each cited by its own
    assert all(ocr for src, _, ocr in cited if src == "scan.pdf")
    assert "분기마다" in ans.answer
    quiz = app.quiz("local", n=20, kinds="cloze,short,ox,mcq", seed=1)
    scanned = [it for it in quiz.items if it.source.source == "scan.pdf"]
    assert scanned, [it.source for it in quiz.items]
    for it in scanned:
        d = it.to_dict()["source"]
        assert d["page"] in (1, 2) and d["ocr"] is True
    memo = [it for it in quiz.items if it.source.source == "memo.md"]
    assert all("ocr" not in it.to_dict()["source"] for it in memo)
    guide = app.guide_text(app.guide(), "md")  # the 단원 요약 cites the scanned page too
    assert "scan.pdf · 제1장 라우터 관리 · p. 1 · 스캔" in guide, guide


def test_notes_rows_and_a_restart_read_no_page_again(scanned_app, embedder):
    app, _, ctx = scanned_app
    rows = {r.source: r.status for r in app.note_rows()}
    assert rows["scan.pdf"] == "색인됨 · 스캔 2쪽 인식 (OCR)"
    assert rows["mixed.pdf"] == "색인됨 · 스캔 1쪽 인식 (OCR)" and rows["memo.md"] == "색인됨"
    before = pages_read(ctx["log"])
    assert before == 4
    again = make_app(ctx["corpus"], ctx["root"] / "index", ctx["root"] / "data2", embedder, **ctx["settings"])
    assert not again.state.building  # loaded, nothing to build
    assert again.search("방화벽 규칙 검토", mode="keyword", k=1)[0].page == 2
    rep = again.reindex(report=lambda m: None)
    assert rep is not None and rep.recognised == 0 and pages_read(ctx["log"]) == before
