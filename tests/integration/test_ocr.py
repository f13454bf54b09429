"""Scanned notes and photos of pages read by OCR (issue 20): real Tesseract on small Korean pages
drawn with the Nanum fonts, indexed through NotesLibrary with the real embedder.

Tesseract is run through a wrapper script that logs every page it reads, so "nothing is read
again" is counted, not assumed. Without Tesseract these tests skip with the reason on a laptop
and fail in CI (STUDY_REQUIRE_SERVICES=1, tests/support/services.py)."""
from __future__ import annotations

import json
import shutil
import time

import pytest

from tests.support.ocr import FINDS, MEMO, make_corpus, pages_read, picture, wrapper
from tests.support.scangen import page_picture, scan_pdf
from tests.support.services import need_tesseract

@pytest.fixture(scope="session")
def real_tesseract() -> str:
    return need_tesseract()


@pytest.fixture(scope="module")
def scanned(tmp_path_factory, real_tesseract, embedder, tokenizer):
    from retriever import NotesLibrary, OcrConfig

    root = tmp_path_factory.mktemp("ocr")
    corpus = make_corpus(root / "notes")
    exe, log = wrapper(root / "bin", real_tesseract)
    config = OcrConfig(tesseract=str(exe))
    lib = NotesLibrary(corpus, root / "index", embedder, tokenizer, ocr=config)
    rep = lib.refresh()
    return lib, rep, log, config


def test_scanned_pages_are_found_on_their_page_and_marked_recognised(scanned):
    lib, rep, _, _ = scanned
    assert rep.skipped == [] and rep.files == 4
    for query, source, page in FINDS:
        for mode in ("keyword", "hybrid"):
            top = lib.search(query, mode=mode, k=3)[0]
            assert (top.source, top.page, top.ocr) == (source, page, True), (mode, query, top)
            d = top.to_dict()
            assert d["page"] == page and d["ocr"] is True
    assert "열이레" in lib.search("라우터 점검 주기", mode="keyword", k=1)[0].text
    # the mixed PDF's text page is read from its text layer, as before: not marked recognised
    top = lib.search("서브넷 마스크", mode="keyword", k=1)[0]
    assert (top.source, top.page, top.ocr) == ("mixed.pdf", 1, False)
    memo = lib.search("키네시스 샤드", mode="keyword", k=1)[0]
    assert memo.source == "memo.md" and "ocr" not in memo.to_dict()  # text notes' JSON unchanged


def test_recognised_pages_are_counted_kept_and_headed(scanned):
    lib, rep, log, _ = scanned
    assert rep.recognised == pages_read(log) == 4
    assert rep.to_dict()["ocr"] == []  # clean pages: none under the confidence floor
    notes = {n.source: n for n in lib.notes()}
    assert notes["scan.pdf"].ocr_pages == (1, 2) and notes["mixed.pdf"].ocr_pages == (2,)
    assert notes["memo.md"].ocr_pages == ()
    assert "Scanned by" in notes["scan.pdf"].text  # the page read as it looks, its scanner stamp too
    first = next(c for c in lib.searcher.index.chunks if c.source == "scan.pdf" and c.page == 1)
    assert first.heading == "제1장 라우터 관리"  # the taller line became the heading
    gen = lib.searcher.index.path
    cached = [json.loads(x) for x in (gen / "ocr.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(cached) == 4 and all(0 < c["conf"] <= 100 and c["lines"] for c in cached)
    # the photo was turned upright by its EXIF orientation, not by Tesseract's orientation check
    photo_key = lib.manifest["files"]["photo.jpg"]["ocr"]["keys"][0]
    assert next(c for c in cached if c["key"] == photo_key)["rot"] == 0


def test_restart_rebuild_other_chunks_and_other_edits_read_no_page_again(scanned, tmp_path, embedder, tokenizer):
    from retriever import ChunkerConfig, NotesLibrary

    lib, _, log, config = scanned
    corpus, index = tmp_path / "notes", tmp_path / "index"
    shutil.copytree(lib.corpus_dir, corpus)
    shutil.copytree(lib.index_dir, index)
    before = pages_read(log)
    again = NotesLibrary(corpus, index, embedder, tokenizer, ocr=config)
    assert again.open() is None  # a restart: the index is current, nothing is built
    assert again.search("방화벽 규칙 검토", mode="keyword", k=1)[0].page == 2
    assert again.refresh(rebuild=True).recognised == 0
    other = NotesLibrary(corpus, index, embedder, tokenizer, ChunkerConfig(max_chars=300, plain_max_chars=300),
                         ocr=config)
    rep = other.refresh()
    assert rep.changed and rep.recognised == 0
    (corpus / "memo.md").write_text(MEMO + "\n파이어호스는 버퍼 간격마다 씁니다.\n", encoding="utf-8")
    rep = other.refresh()
    assert rep.changed and rep.recognised == 0
    assert other.search("게이트웨이 장애 조치", mode="keyword", k=1)[0].page == 2
    assert pages_read(log) == before


def test_editing_a_scanned_pdf_reads_only_its_changed_page(scanned, tmp_path, embedder, tokenizer):
    from retriever import NotesLibrary

    lib, _, log, config = scanned
    corpus, index = tmp_path / "notes", tmp_path / "index"
    shutil.copytree(lib.corpus_dir, corpus)
    shutil.copytree(lib.index_dir, index)
    before = pages_read(log)
    new_page = page_picture(["로드밸런서 상태 검사는 오초 간격입니다.", "실패한 대상은 자동으로 뺍니다."])
    scan_pdf(corpus / "scan.pdf", [picture("scan-1"), new_page], stamp="Scanned by OfficeScan 3000")
    rep = NotesLibrary(corpus, index, embedder, tokenizer, ocr=config).refresh()
    assert rep.recognised == 1 and pages_read(log) == before + 1
    edited = NotesLibrary(corpus, index, embedder, tokenizer, ocr=config)
    assert edited.search("로드밸런서 상태 검사", mode="keyword", k=1)[0].page == 2
    assert edited.search("라우터 점검 주기", mode="keyword", k=1)[0].page == 1
    assert not edited.search("방화벽 규칙 검토", mode="keyword", k=3)


def test_pages_join_the_search_as_they_are_read(tmp_path, real_tesseract, embedder, tokenizer):
    """Progressive: text notes first, then each recognised page, while the others are still read."""
    from retriever import NotesLibrary, OcrConfig

    corpus = make_corpus(tmp_path / "notes")
    gate = tmp_path / "go"
    exe, log = wrapper(tmp_path / "bin", real_tesseract, gate=gate)
    config = OcrConfig(tesseract=str(exe), workers=1, publish_seconds=0)
    lib = NotesLibrary(corpus, tmp_path / "index", embedder, tokenizer, ocr=config)
    build = lib.start_refresh()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # pages are read in file order: mixed.pdf p. 2, then photo.jpg
            if lib.live_modes and lib.status.ocr_done >= 2 and lib.search("포트 미러링 패킷 복제", mode="keyword", k=1):
                break
            time.sleep(0.05)  # poll interval of the wait, not a wait for a fixed time
        else:
            raise AssertionError(f"recognised pages never joined the index: {lib.status}")
        st = lib.status
        assert st.building and st.ocr_running and st.ocr_total == 4 and st.ocr_done == 2
        assert lib.search("키네시스 샤드", mode="keyword", k=1)[0].source == "memo.md"
        top = lib.search("게이트웨이 장애 조치", mode="keyword", k=1)[0]
        assert (top.source, top.page, top.ocr) == ("mixed.pdf", 2, True)
        assert "semantic" in lib.live_modes  # the published generation has its vectors
        assert not lib.search("라우터 점검 주기", mode="keyword", k=3)  # scan.pdf is held at the gate
    finally:
        gate.touch()
        build.join(timeout=180)
    assert not build.is_alive() and not lib.status.error
    assert lib.status.ocr_done == lib.status.ocr_total == 4
    top = lib.search("라우터 점검 주기", mode="hybrid", k=1)[0]
    assert (top.source, top.page, top.ocr) == ("scan.pdf", 1, True)
    assert pages_read(log) == 4


def test_pages_under_the_confidence_floor_are_reported(scanned, tmp_path, embedder, tokenizer):
    from dataclasses import replace

    from retriever import NotesLibrary

    lib, _, log, config = scanned
    index = tmp_path / "index"
    shutil.copytree(lib.index_dir, index)
    before = pages_read(log)
    strict = NotesLibrary(lib.corpus_dir, index, embedder, tokenizer, ocr=replace(config, min_confidence=99.5))
    rep = strict.refresh()  # another floor: the scans are looked at again, from the cache
    low = rep.to_dict()["ocr"]
    assert {(x["path"], x["page"]) for x in low} == {("scan.pdf", 1), ("scan.pdf", 2), ("photo.jpg", 1),
                                                      ("mixed.pdf", 2)}
    assert all(0 < x["confidence"] < 99.5 for x in low)
    assert rep.recognised == 0 and pages_read(log) == before
    again = NotesLibrary(lib.corpus_dir, index, embedder, tokenizer, ocr=replace(config, min_confidence=99.5))
    assert again.refresh().to_dict()["ocr"] == low  # an unchanged index reports them too


def test_without_tesseract_scans_are_skipped_naming_what_to_install(tmp_path, monkeypatch, embedder, tokenizer):
    from retriever import NotesLibrary

    corpus = make_corpus(tmp_path / "notes")
    (tmp_path / "bin").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))  # a laptop that never installed Tesseract
    lib = NotesLibrary(corpus, tmp_path / "index", embedder, tokenizer)
    rep = lib.refresh()
    reasons = {s.path: s.reason for s in rep.skipped}
    assert set(reasons) == {"scan.pdf", "photo.jpg", "mixed.pdf"}
    for reason in reasons.values():
        assert "apt-get install tesseract-ocr tesseract-ocr-kor" in reason and "Tesseract" in reason
        assert "\n" not in reason and "Traceback" not in reason
    assert "텍스트 층" in reasons["scan.pdf"] and "p. 2" in reasons["mixed.pdf"]
    assert rep.files == 2 and rep.recognised == 0
    json.dumps(rep.to_dict(), ensure_ascii=False)
    assert lib.search("서브넷 마스크", mode="keyword", k=1)[0].page == 1  # the mixed PDF's text page
    assert lib.search("키네시스 샤드", mode="hybrid", k=1)[0].source == "memo.md"
    assert NotesLibrary(corpus, tmp_path / "index", embedder, tokenizer).open() is None  # no rebuild each run
    monkeypatch.undo()  # … then Tesseract is installed: the waiting pages are read on the next update
    need_tesseract()
    installed = NotesLibrary(corpus, tmp_path / "index", embedder, tokenizer)
    assert not installed.indexer.is_current()
    rep = installed.refresh()
    assert rep.skipped == [] and rep.recognised == 4 and rep.files == 4
    top = installed.search("라우터 점검 주기", mode="keyword", k=1)[0]
    assert (top.source, top.page, top.ocr) == ("scan.pdf", 1, True)
