"""Scanned pages' vectors wait for the last page (issue 20: the passage model out of the process
while Tesseract runs): no passage is embedded while pages are in flight, and none inside a
`passages_apart` block; pages read meanwhile are found by keyword and by hybrid search (their
keyword score), not by semantic search; the vectors are written after the last page; a restart
reads no page twice and finishes what was left. Tesseract is faked by the pages' recognised text
(`tests.support.ocr.RECOGNISED`); reading real pictures: tests/integration/test_ocr*.py."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from tests.support.fakes import FakeEmbedder
from tests.support.ocr import KINESIS, RECOGNISED
from tests.support.scangen import page_picture, scan_pdf

WAIT = 60.0  # seconds a condition may take before the test fails (never a fixed sleep)


class Recording(FakeEmbedder):
    """The fake embedder, logging each passage call and each `passages_apart` block in `events`."""

    def __init__(self, events: list) -> None:
        super().__init__()
        self.events = events
        self.fail = False

    def embed_passages(self, texts, **kw):
        self.events.append(("embed", len(texts)))
        if self.fail:
            raise RuntimeError("the build stopped while embedding")
        return super().embed_passages(texts, **kw)

    def passages_apart(self):
        from contextlib import contextmanager

        @contextmanager
        def block():
            self.events.append(("apart", "in"))
            try:
                yield
            finally:
                self.events.append(("apart", "out"))

        return block()


def _page_text(page: int):
    from retriever.ocr.text import Line, PageText

    lines = RECOGNISED[page - 1]
    return PageText(tuple(Line(t, 95.0, h, k) for k, (t, h) in enumerate(lines)), 95.0)


def fake_tesseract(monkeypatch, events: list, during=None, fail_page: int | None = None) -> list[int]:
    """Tesseract replaced: each page gives back its recognised text; `during(page)` runs while
    the page is in flight; `fail_page` stops the build there. The pages read, in order."""
    from retriever.ocr import runner, session

    read: list[int] = []

    def read_one(engine, job, png):
        png.unlink(missing_ok=True)
        events.append(("ocr", job.page, "start"))
        if during is not None:
            during(job.page)
        if job.page == fail_page:
            raise RuntimeError("the build stopped while reading a page")
        read.append(job.page)
        events.append(("ocr", job.page, "end"))
        return runner.PageResult(job, _page_text(job.page), seconds=0.01)

    monkeypatch.setattr(session.Tesseract, "find", staticmethod(lambda config: object()))
    monkeypatch.setattr(runner, "_read_one", read_one)
    return read


@pytest.fixture
def scanned(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "memo.md").write_text(KINESIS, encoding="utf-8")
    scan_pdf(folder / "scan.pdf", [page_picture([f"스캔 {n}"], size=(620, 874)) for n, _ in enumerate(RECOGNISED)])
    return folder, tmp_path / "index"


def library(folder, index, embedder, tokenizer):
    from retriever import NotesLibrary, OcrConfig

    return NotesLibrary(folder, index, embedder, tokenizer, ocr=OcrConfig(workers=2, publish_seconds=0))


def scanned_rows(lib) -> list[int]:
    return [i for i, c in enumerate(lib.searcher.index.chunks) if c.source == "scan.pdf"]


def test_no_passage_is_embedded_while_pages_are_read_and_pending_pages_are_found(scanned, tokenizer, monkeypatch):
    events: list = []
    emb = Recording(events)
    lib = library(*scanned, emb, tokenizer)
    page_one_in = threading.Event()
    seen: dict = {}

    def use(index, inner=lib._use):  # every generation the build publishes
        inner(index)
        if any(c.page == 1 and c.source == "scan.pdf" for c in index.chunks):
            page_one_in.set()

    lib._use = use

    def during(page: int) -> None:  # page 2 waits until page 1 is searchable, then searches
        if page == 2:
            assert page_one_in.wait(WAIT), "page 1 was never published while page 2 was read"
            seen["hybrid"] = lib.search("라우터 점검 주기", mode="hybrid", k=3)
            seen["semantic"] = lib.search("라우터 점검 주기", mode="semantic", k=10)
            seen["keyword"] = lib.search("라우터 점검 주기", mode="keyword", k=3)
            seen["modes"], seen["manifest"] = lib.live_modes, lib.manifest

    fake_tesseract(monkeypatch, events, during)
    from retriever import vectors

    real_release = vectors.release_kiwi_memory  # Kiwi's allocator emptied before each child (issue 20)
    monkeypatch.setattr(vectors, "release_kiwi_memory", lambda: events.append(("release", real_release())))
    rep = lib.refresh()

    # the order: the memo embedded (apart), then every page read with no model, then the scan's chunks
    ocr = [i for i, e in enumerate(events) if e[0] == "ocr"]
    assert all(not (ocr[0] < i < ocr[-1]) for i, e in enumerate(events) if e[0] in ("embed", "apart"))
    depth = 0
    for e in events:
        depth += {("apart", "in"): 1, ("apart", "out"): -1}.get(e, 0)
        assert depth == 0 or e[0] != "ocr", "a page was read inside a passages_apart block"
        assert depth == 1 or e[0] != "embed", "passages embedded outside a passages_apart block"
    embeds = [e[1] for e in events if e[0] == "embed"]
    assert embeds[-1] == len(scanned_rows(lib)) and len(embeds) == 2, events
    assert all(events[i - 1] == ("release", True) for i, e in enumerate(events) if e == ("apart", "in")), events
    # during OCR: text notes semantic/hybrid, the pending page by keyword and by hybrid (not dropped)
    assert set(seen["modes"]) == {"keyword", "semantic", "hybrid"}
    assert set(seen["manifest"]["vectors_pending"]) == {c.id for c in lib.searcher.index.chunks
                                                       if c.source == "scan.pdf" and c.page == 1}
    assert (seen["keyword"][0].source, seen["keyword"][0].page) == ("scan.pdf", 1)
    assert (seen["hybrid"][0].source, seen["hybrid"][0].page, seen["hybrid"][0].ocr) == ("scan.pdf", 1, True)
    assert seen["semantic"] and all(h.source != "scan.pdf" for h in seen["semantic"])
    # after: every vector written, nothing pending, semantic search reaches the scan
    index = lib.searcher.index
    assert rep.vectors_pending == 0 and "vectors_pending" not in index.manifest and index.waiting is None
    assert all(np.abs(index.vectors[i]).sum() > 0 for i in scanned_rows(lib))
    assert "vectors pending" not in str(index.manifest["calibration"])
    assert any(h.source == "scan.pdf" for h in lib.search("라우터 점검 주기", mode="semantic", k=10))
    assert lib.indexer.is_current()


def test_a_restart_reads_no_page_again_and_finishes_the_pending_vectors(scanned, tokenizer, monkeypatch):
    from retriever.vectors import pending_ids

    folder, index = scanned
    events: list = []
    emb = Recording(events)
    fake_tesseract(monkeypatch, events, fail_page=2)  # stopped while page 2 is read
    with pytest.raises(RuntimeError, match="reading a page"):
        library(folder, index, emb, tokenizer).refresh()
    lib = library(folder, index, emb, tokenizer)
    assert not lib.indexer.is_current()
    from retriever.store import read_manifest

    assert pending_ids(read_manifest(index))  # page 1 is in, its vectors wait
    from retriever.search import Searcher
    from retriever.store import load_index

    searcher = Searcher(load_index(index), emb, tokenizer)  # what was left: a pending row is neutral
    wait = searcher.index.waiting
    q = "라우터 점검 주기"
    cand, kw, dense, _, dense_ids = searcher.candidates(q, searcher.query_vector(q), 10)
    assert wait[cand].any() and (~wait[cand]).any() and not wait[dense_ids].any()
    assert dense[wait[cand]] == pytest.approx(dense[~wait[cand]].mean())
    assert searcher.search(q, mode="hybrid", k=1)[0].page == 1
    read = fake_tesseract(monkeypatch, events)
    emb.fail = True  # stopped again, now while the scan's chunks are embedded after the last page
    with pytest.raises(RuntimeError, match="embedding"):
        lib.refresh()
    assert read == [2]  # page 1 came from the cache
    manifest = read_manifest(index)
    assert not (manifest["files"]["scan.pdf"]["ocr"]).get("pending") and pending_ids(manifest)
    emb.fail = False
    rep = library(folder, index, emb, tokenizer).refresh()
    assert read == [2] and rep.recognised == 0  # no page read again
    assert rep.embedded == len(pending_ids(manifest)) and rep.vectors_pending == 0
    final = read_manifest(index)
    assert not pending_ids(final) and final["files"]["scan.pdf"]["ocr"]["recognised"] == [1, 2]
