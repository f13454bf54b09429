"""What OCR is given (issue 20): which PDF pages count as scans, broken and hostile pictures and a
locked scan (each one line, nothing else affected), the page text made from Tesseract's lines,
and the cache key. Real files built on the fly; nothing here runs Tesseract (the tests that do
are in tests/integration/test_ocr_inputs.py)."""
from __future__ import annotations

import json

import pytest

from tests.support.scangen import animated_gif, bomb_png, page_picture, scan_pdf, truncated_jpeg

LINES = ["방화벽 규칙은 분기마다 검토합니다.", "허용 목록에 없는 포트는 닫습니다."]


def read(path):
    from retriever.readers import read_bytes

    return read_bytes(path.read_bytes(), path.name)


def test_which_pdf_pages_are_scans(tmp_path):
    """Under 32 word characters of text layer and pictures over half the page: a scan (a
    scanner's stamp does not make it a text page); a short text page without a picture (a
    title slide) is text; a blank page is neither."""
    pic = page_picture(LINES)
    out = read(scan_pdf(tmp_path / "mixed.pdf", [["제3장 보안 개요"], pic, pic, ["본문이 있는 보통 페이지입니다."] * 3],
                        stamp="Scanned by OfficeScan 3000"))
    assert [s.page for s in out.scans] == [2, 3]
    assert out.scans[0].key == out.scans[1].key  # the same picture: the same content key
    assert "제3장 보안 개요" in out.text and "Scanned" not in out.text
    assert len(out.pages) == 4
    blank = read(scan_pdf(tmp_path / "blank.pdf", [[], ["짧은 글"]]))
    assert blank.scans == () and "짧은 글" in blank.text


def test_an_edited_scan_page_changes_only_its_key(tmp_path):
    a, b = page_picture(LINES), page_picture(["다른 내용의 페이지입니다."])
    one = read(scan_pdf(tmp_path / "one.pdf", [a, a]))
    two = read(scan_pdf(tmp_path / "two.pdf", [a, b]))
    assert one.scans[0].key == two.scans[0].key and one.scans[1].key != two.scans[1].key


def test_bad_pictures_and_a_locked_scan_are_each_one_line_and_break_nothing(tmp_path, embedder, tokenizer):
    from retriever import NotesLibrary
    from retriever.readers import Unreadable

    corpus = tmp_path / "notes"
    corpus.mkdir()
    pic = page_picture(LINES)
    bomb_png(corpus / "bomb.png")  # 30,000² pixels declared: over twice Pillow's limit
    bomb_png(corpus / "big.png", side=10_000)  # 100 M pixels: over Pillow's limit, under twice it
    truncated_jpeg(corpus / "half.jpg", pic)
    (corpus / "empty.png").write_bytes(b"")
    animated_gif(corpus / "moving.gif", [pic, page_picture(["두 번째 장면"])])
    scan_pdf(corpus / "locked.pdf", [pic], encrypt="비밀번호")
    (corpus / "good.md").write_text("# 메모\n\n키네시스 샤드는 처리량의 단위입니다.\n", encoding="utf-8")
    lib = NotesLibrary(corpus, tmp_path / "index", embedder, tokenizer)
    rep = lib.refresh()
    reasons = {s.path: s.reason for s in rep.skipped}
    expected = {"bomb.png": "너무 큽니다", "big.png": "너무 큽니다", "half.jpg": "잘렸거나 손상",
                "empty.png": "빈 이미지", "moving.gif": "움직이는 이미지", "locked.pdf": "암호"}
    assert set(reasons) == set(expected)
    for path, words in expected.items():
        assert words in reasons[path] and "\n" not in reasons[path], (path, reasons[path])
        with pytest.raises(Unreadable, match=words):  # an upload is refused with the same line
            read(corpus / path)
    assert "decompression bomb" in reasons["bomb.png"] and "900,000,000" in reasons["bomb.png"]
    assert rep.files == 1 and rep.recognised == 0 and "ocr" not in rep.to_dict()
    json.dumps(rep.to_dict(), ensure_ascii=False)
    assert lib.search("키네시스 샤드", mode="keyword", k=1)[0].source == "good.md"


def test_page_text_from_recognised_lines():
    from retriever.ocr.text import Line, PageText, page_lines

    body = [Line("본문 첫 줄은 보통 크기의 한글입니다", 91.0, 40, 0),
            Line("둘째 줄도 같은 크기입니다", 90.0, 41, 0)]
    page = PageText((Line("제2장 스위치", 95.0, 62, 0), *body,
                     Line("# 이 줄은 코드의 주석입니다", 88.0, 40, 1), Line("``` python", 80.0, 40, 1),
                     Line("Ap", 54.0, 113, 2), Line("- 12 -", 90.0, 40, 3)), 90.0)
    lines = page_lines(page)
    assert lines[:4] == ["", "## 제2장 스위치", "", "본문 첫 줄은 보통 크기의 한글입니다"]
    assert " # 이 줄은 코드의 주석입니다" in lines  # not a heading for the chunker
    assert "''' python" in lines  # not a code fence
    assert "Ap" in lines and "## Ap" not in lines  # a tall smudge is no heading
    assert "- 12 -" not in lines  # the page number
    assert lines.index(" # 이 줄은 코드의 주석입니다") == lines.index("둘째 줄도 같은 크기입니다") + 2  # paragraphs apart


def test_recognised_pages_go_into_their_places():
    from retriever.ocr.session import assemble
    from retriever.types import Note

    note = Note("mixed.pdf", "첫 페이지 본문\n\n\n셋째 페이지 본문\n", "0" * 64, "pdf", (1, 3, 4))
    whole = assemble(note, {2: ["## 스캔 제목", "", "인식된 본문"]})
    assert whole.text.split("\n") == ["첫 페이지 본문", "", "## 스캔 제목", "", "인식된 본문", "",
                                      "셋째 페이지 본문", ""]
    assert whole.pages == (1, 3, 7) and whole.ocr_pages == (2,)
    assert whole.page_at(5) == 2 and whole.page_at(7) == 3


def test_the_cache_key_follows_what_changes_the_text():
    from retriever.ocr import OcrConfig

    key = OcrConfig().cache_key("page")
    assert key == OcrConfig(workers=1, page_timeout=5, min_confidence=90).cache_key("page")
    assert key != OcrConfig(langs="kor").cache_key("page") != OcrConfig(dpi=200).cache_key("page")


def test_pages_are_rendered_with_the_document_opened_for_each_page(tmp_path, monkeypatch):
    """An open PDFium document keeps what it decoded for every page rendered (≈ 1.8 MB a page
    of a 300-dpi scan): each page is rendered from a document opened for it and closed before
    the picture is handed on. A file removed meanwhile gives the rest of its pages 'changed'."""
    from retriever.ocr import render
    from retriever.ocr.config import OcrConfig
    from retriever.readers import pdf as pdf_reader

    pic = page_picture(LINES)
    path = scan_pdf(tmp_path / "scan.pdf", [pic, page_picture(["두 번째 페이지입니다."]), pic])
    keys = [(s.page, s.key) for s in read(path).scans]
    opened, open_pdf = [], pdf_reader.open_pdf

    def counting(data):
        doc = open_pdf(data)
        opened.append(doc)
        return doc

    monkeypatch.setattr(pdf_reader, "open_pdf", counting)
    config = OcrConfig(dpi=100)
    got = []
    for page, img in render.pdf_pages(path, keys, config):
        assert all(doc.raw is None for doc in opened)  # closed before the picture is given out
        got.append((page, img.mode, img.size[1] > img.size[0]))
    assert got == [(1, "L", True), (2, "L", True), (3, "L", True)] and len(opened) == 3
    pages = render.pdf_pages(path, keys, config)
    assert next(pages)[0] == 1
    path.unlink()
    assert list(pages) == [(2, render.CHANGED), (3, render.CHANGED)]


def test_big_blocks_are_mapped_on_their_own_while_pages_are_read_where_the_heap_is_glibcs(monkeypatch):
    """While scanned pages are read, glibc maps blocks of 1 MiB or more on their own; after it
    the threshold is glibc's ceiling (the CPU cost of mapping torch's activations stays inside)."""
    import platform

    from e5fast import heap

    glibc = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"
    set_to = []
    real = heap.map_big_blocks
    monkeypatch.setattr(heap, "map_big_blocks", lambda t=heap.MAP_AT: set_to.append(t) or real(t))
    with heap.big_blocks_mapped() as mapped:
        assert mapped is glibc and set_to == [heap.MAP_AT]
    assert set_to == ([heap.MAP_AT, heap.CEILING] if glibc else [heap.MAP_AT])
    heap.trim_heap()  # and trimming never raises (a no-op off glibc)
