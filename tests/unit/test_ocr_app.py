"""Scanned notes in the application (issue 20), without running Tesseract: the OCR settings,
"p. 3 · 스캔" on every place a citation is shown, the source panel marking recognised text, the
status line while scanned pages are read, 노트 관리's rows, and uploads of pictures and scans.
(Recognising pages for real: tests/integration/test_ocr_app.py.)"""
from __future__ import annotations

import pytest

from tests.support.scangen import bomb_png, page_picture, scan_pdf
from retriever import Hit

LINES = ["방화벽 규칙은 분기마다 검토합니다.", "허용 목록에 없는 포트는 닫습니다."]


def ocr_hit(**kw) -> Hit:
    return Hit(rank=1, score=1.0, source="scan.pdf", heading="제1장 보안", lines=(3, 8),
               text="방화벽 규칙은 분기마다 검토합니다.", page=3, ocr=True, **kw)


def test_ocr_settings_come_from_the_environment_once():
    from studyapp import Settings, SettingsError

    s = Settings.from_env({"STUDY_OCR_LANGS": " kor + eng ", "STUDY_OCR_WORKERS": "1",
                           "STUDY_OCR_PAGE_SECONDS": "0.2", "STUDY_OCR_MIN_CONFIDENCE": "75",
                           "STUDY_TESSERACT": "/opt/tess/bin/tesseract"})
    assert s.ocr.langs == "kor+eng" and s.ocr.workers == 1 and s.ocr.min_confidence == 75
    assert s.ocr.page_timeout == 1.0  # never under a second a page
    assert s.ocr.tesseract == "/opt/tess/bin/tesseract"
    from retriever import OcrConfig

    assert Settings().ocr == OcrConfig()  # the defaults are OcrConfig's, written once
    with pytest.raises(SettingsError, match="STUDY_OCR_LANGS") as err:
        Settings.from_env({"STUDY_OCR_LANGS": "kor; rm -rf /"})
    assert "\n" not in str(err.value)


def test_a_recognised_page_is_cited_as_a_scan_everywhere():
    from studyapp import lines_ko, location
    from tutor.common.types import SourceRef

    assert lines_ko((3, 8), 3, ocr=True) == "p. 3 · 스캔"
    assert lines_ko((3, 8), 3) == "p. 3" and lines_ko((3, 8)) == "3–8행"
    assert location("scan.pdf", (3, 8), 3, ocr=True) == "scan.pdf p. 3 · 스캔"
    assert location("memo.md", (3, 8)) == "memo.md:3-8"
    ref = SourceRef("scan.pdf", "제1장 보안", (3, 8), 3, ocr=True)
    assert ref.to_dict() == {"source": "scan.pdf", "heading": "제1장 보안", "lines": [3, 8], "page": 3, "ocr": True}
    assert "ocr" not in SourceRef("memo.md", "", (1, 2)).to_dict()  # text notes' JSON as before
    assert ref == SourceRef("scan.pdf", "제1장 보안", (3, 8), 3)  # the record's item identity is unchanged
    from tutor.guide.model import cite

    assert cite(ref) == "scan.pdf · 제1장 보안 · p. 3 · 스캔"  # the 단원 요약's citation


def test_the_source_panel_and_search_mark_recognised_text():
    from interfaces.web.chat import chat_messages
    from interfaces.web.render import render_hits_html, render_sources_md
    from studyapp import RECOGNISED_NOTE
    from tutor.common.types import Answer

    text_hit = Hit(rank=2, score=0.5, source="memo.md", heading="메모", lines=(1, 3), text="본문")
    md = render_sources_md([ocr_hit(), text_hit])
    first, second = md.split("\n\n")
    assert "p. 3 · 스캔" in first and "인식한 텍스트 (OCR)" in first and "방화벽 규칙" in first
    assert "스캔" not in second and "OCR" not in second
    html = render_hits_html("방화벽", "keyword", [ocr_hit()], lambda text, q: [])
    assert "p. 3 · 스캔" in html and 'class="study-ocr"' in html and RECOGNISED_NOTE in html
    msgs = chat_messages(Answer("q", "template", "답 [1]", (ocr_hit(),)))
    assert "p. 3 · 스캔" in msgs[1]["content"]


class _App:
    def __init__(self, state):
        self.state = state


def test_the_status_line_counts_scanned_pages_while_they_are_read():
    from interfaces.web.status import index_state_markdown
    from studyapp import IndexState

    reading = IndexState(True, 40, 40, 1.0, "", ("keyword", "semantic", "hybrid"), 12, 80)
    assert reading.ocr_running and reading.ocr_progress == "스캔 페이지 인식 중 12/80 · 의미 검색은 인식 후"
    line = index_state_markdown(_App(reading))
    assert "스캔 페이지 인식 중 12/80" in line and "재시작 없이" in line and "키워드 검색**만" not in line
    first = IndexState(True, 3, 40, 0.1, "", ("keyword",), 0, 80)
    assert "스캔 페이지 인식 중 0/80" in index_state_markdown(_App(first))
    done = IndexState(False, 40, 40, 1.0, "", ("keyword", "semantic", "hybrid"), 80, 80)
    assert not done.ocr_running and index_state_markdown(_App(done)) == ""
    no_scans = IndexState(True, 3, 40, 0.1, "", ("keyword",))
    assert "스캔" not in index_state_markdown(_App(no_scans))


def test_notes_rows_say_which_scans_were_read_poorly(tmp_path):
    import hashlib

    from studyapp.notes import list_notes

    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4 stand-in")
    (tmp_path / "memo.md").write_text("# 메모\n", encoding="utf-8")
    sha = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.iterdir()}
    manifest = {"files": {
        "scan.pdf": {"sha256": sha["scan.pdf"], "chunks": 4,
                     "ocr": {"keys": ["a", "b", "c"], "recognised": [1, 2, 3], "low": [[2, 41.3]]}},
        "memo.md": {"sha256": sha["memo.md"], "chunks": 1}}}
    rows = {r.source: r for r in list_notes(tmp_path, manifest)}
    assert rows["scan.pdf"].status == "색인됨 · 스캔 3쪽 인식 (OCR) · 인식 품질 낮음 p. 2 (신뢰도 41)"
    assert not rows["scan.pdf"].needs_reindex
    assert rows["memo.md"].status == "색인됨"


def test_pictures_and_scanned_pdfs_upload_within_their_limits(tmp_path, seed_corpus, seed_index_copy, embedder):
    from studyapp.notes import save_upload, upload_limit
    from tests.support.apps import make_app

    assert upload_limit("사진.JPG") == upload_limit("scan.png") == 20 * 1024 * 1024
    assert upload_limit("scan.pdf") == 50 * 1024 * 1024
    corpus = tmp_path / "notes"
    corpus.mkdir()
    photo = tmp_path / "칠판 사진.jpg"
    page_picture(LINES).convert("RGB").save(photo, "JPEG", quality=85)
    assert save_upload(corpus, photo).source == "칠판 사진.jpg"
    scan = scan_pdf(tmp_path / "handout.pdf", [page_picture(LINES)])
    assert save_upload(corpus, scan).source == "handout.pdf"
    # refused uploads, each one Korean line, through the app's door; nothing is written
    app = make_app(seed_corpus, seed_index_copy, tmp_path / "data", embedder)
    big = tmp_path / "huge.png"
    big.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * (20 * 1024 * 1024 + 1))
    bomb = bomb_png(tmp_path / "bomb.png")
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    before = sorted(p.name for p in seed_corpus.iterdir())
    out = {u.name: u for u in app.upload([big, bomb, empty])}
    assert all(u.saved is None and u.error and "\n" not in u.error for u in out.values())
    assert out["huge.png"].error.startswith("파일이 너무 큽니다: 20.0 MB (최대 20 MB)")
    assert "decompression bomb" in out["bomb.png"].error and "너무 큽니다" in out["bomb.png"].error
    assert "빈 파일" in out["empty.png"].error
    assert sorted(p.name for p in seed_corpus.iterdir()) == before
    assert not app.state.building  # nothing saved: no re-index started
