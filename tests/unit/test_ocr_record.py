"""Items read back from the learning record are cited like fresh ones (issue 20): a quiz item
made from a recognised (OCR) page keeps "p. 1 · 스캔" in the 복습 queue, the 오답 노트 and its
retries, the item shown again, the grade's feedback and 모의고사 sheets and results — screens
and JSON — although the record stores only the page. Text notes' items stay as they were.
The scanned pages' text comes from the index's OCR cache (no Tesseract in this lane)."""
from __future__ import annotations

import csv
import re
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.apps import make_app
from tests.support.ocr import recognised_notes


SCAN_CITE = re.compile(r"p\. [12] · 스캔")


@pytest.fixture(scope="module")
def notes(tmp_path_factory, embedder, tokenizer):
    root = tmp_path_factory.mktemp("scanned-record")
    return recognised_notes(root / "notes", root / "index", embedder, tokenizer)


@pytest.fixture
def sa(notes, tmp_path, embedder):
    app = make_app(*notes, tmp_path / "data", embedder)
    yield app
    app.close()


def _scanned(items) -> list:
    return [it for it in items if it.source.source == "scan.pdf"]


def _cited_as_fresh(items) -> None:
    """Every scanned item marked (screen and JSON), every memo item as before."""
    scan = _scanned(items)
    assert scan and len(scan) < len(items)
    for it in items:
        d = it.source.to_dict()
        if it.source.source == "scan.pdf":
            assert it.source.ocr and d["ocr"] is True and d["page"] in (1, 2), it
        else:
            assert not it.source.ocr and "ocr" not in d and "page" not in d, it


def test_review_wrong_retry_and_grading_cite_recognised_pages(sa, capsys):
    from interfaces.cli.study import _print_wrong
    from interfaces.web.quiz_view import item_source
    from interfaces.web.study_views import wrong_html

    assert sa._library.recognised_pages() == {"scan.pdf": frozenset({1, 2})}
    quiz = sa.quiz("ann", None, 30, None, seed=1)
    _cited_as_fresh(quiz.items)  # fresh items: marked when made
    graded = [sa.grade("ann", it.id, "전혀 모르겠어요") for it in quiz.items]
    scan_feedback = [g.grade.feedback for g, it in zip(graded, quiz.items) if it.source.ocr]
    assert scan_feedback and all("· 스캔)" in f for f in scan_feedback)  # the item re-read to grade it
    item = _scanned(quiz.items)[0]
    again = sa.shown_item("ann", item.id)
    assert again.source.ocr and again == item

    later = datetime.now(timezone.utc) + timedelta(days=3)
    queue = sa.review("ann", n=50, at=later)  # every card due: the stored items
    assert {e.reason for e in queue.items} == {"due"} and len(queue.items) == len(quiz.items)
    _cited_as_fresh([e.item for e in queue.items])
    assert any(e["source"].get("ocr") for e in queue.to_dict()["items"])
    sa.quiz("cho", None, 30, None, seed=1)  # shown, never answered: new cards today
    start = sa.review_session("cho", n=50)
    assert set(start.reasons) <= {"new", "weak"} and len(start.session.items) == len(quiz.items)
    _cited_as_fresh(start.session.items)

    wrong = sa.wrong("ann")
    _cited_as_fresh([e.item for e in wrong.items])
    assert sum(bool(e["source"].get("ocr")) for e in wrong.to_dict()["items"]) == len(_scanned(quiz.items))
    assert len(SCAN_CITE.findall(wrong_html(wrong, lambda e: None))) == len(_scanned(quiz.items))
    _print_wrong(wrong)
    assert len(SCAN_CITE.findall(capsys.readouterr().out)) == len(_scanned(quiz.items))
    with open(sa.export_wrong("ann", None, "csv"), encoding="utf-8-sig", newline="") as f:
        cited = [row["source"] for row in csv.DictReader(f)]
    assert sum(bool(SCAN_CITE.match(c, len("scan.pdf "))) for c in cited) == len(_scanned(quiz.items))
    assert all(c.startswith(("scan.pdf p. ", "memo.md:")) for c in cited)  # text notes' places as before
    retry = sa.retry_session("ann")
    _cited_as_fresh(retry.items)
    assert "· 스캔" in item_source(_scanned(retry.items)[0])


def test_exam_sheets_and_results_cite_recognised_pages(sa, capsys):
    from interfaces.cli.exam import print_result
    from interfaces.web.exam_view import report_html

    sheet = sa.start_exam("bob", 6, seed=3)
    _cited_as_fresh(sheet.items)
    assert any(it["source"].get("ocr") for it in sheet.to_dict()["items"])
    result = sa.submit_exam("bob", sheet.exam_id, {})  # nothing answered: every item missed
    assert len(result.missed) == len(sheet.items)
    for res in (result, sa.exam_result("bob", sheet.exam_id)):
        _cited_as_fresh([m.item for m in res.missed])
        assert any(m["source"].get("ocr") for m in res.to_dict()["missed"])
        assert len(SCAN_CITE.findall(report_html(res, sheet.minutes))) == len(_scanned(sheet.items))
    print_result(result)
    assert len(SCAN_CITE.findall(capsys.readouterr().out)) == len(_scanned(sheet.items))


def test_a_grade_before_the_index_is_loaded_cites_the_scan_without_building(notes, sa, tmp_path, embedder,
                                                                           tokenizer):
    """The CLI's `grade` never loads the index: the recognised pages come from the last one on
    disk (nothing built, nothing loaded)."""
    from studyapp import Settings, StudyApp
    from studyapp.wiring import wire

    item = _scanned(sa.quiz("dan", None, 30, None, seed=1).items)[0]
    corpus, index = notes
    cold = StudyApp(wire(Settings.from_env({}, corpus_dir=corpus, index_dir=index, data_dir=tmp_path / "data"),
                         embedder=embedder))
    try:
        feedback = cold.grade("dan", item.id, "전혀 모르겠어요").grade.feedback
        assert SCAN_CITE.search(feedback) and cold._library.generation is None
    finally:
        cold.close()
    from retriever import NotesLibrary

    assert NotesLibrary(corpus, tmp_path / "no-index", embedder, tokenizer).recognised_pages() == {}
