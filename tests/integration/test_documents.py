"""Notes as learners have them (issue 13): a 30-page Korean PDF with facts on known pages, a
Word file with headings and a table, a saved web page with a script, an Obsidian note with
front matter and wikilinks, a Notion export name — and PDFs that must be skipped (a scan
with no letters on it, encrypted, broken). Real files, a real index, the real embedder."""
from __future__ import annotations

import re
import shutil

import pytest

from bench.lib.docgen import LECTURE_CHAPTERS as CHAPTERS
from bench.lib.docgen import LECTURE_TOPICS as TOPICS
from bench.lib.docgen import PdfPage, broken_pdf, korean_pdf, lecture_pages, scanned_pdf, word_docx

pytestmark = pytest.mark.slow  # builds its own index of ~100 chunks

NOTION_NAME = "쿠버네티스 정리 0123456789abcdef0123456789abcdef.md"


@pytest.fixture(scope="module")
def docs(tmp_path_factory, embedder, tokenizer):
    from retriever import NotesLibrary

    root = tmp_path_factory.mktemp("docs")
    corpus, bad = root / "corpus", root / "bad"
    corpus.mkdir()
    bad.mkdir()
    korean_pdf(corpus / "네트워크 강의.pdf", lecture_pages())
    word_docx(corpus / "운영체제 요약.docx", "운영체제 요약",
              [("프로세스와 스레드", ["프로세스는 실행 중인 프로그램이며 PCB로 관리됩니다."],
                ["문맥 교환: 실행 중인 프로세스를 바꾸는 일", "스레드: 프로세스 안의 실행 흐름"]),
               ("메모리 관리", ["페이징은 물리 메모리를 고정 크기 프레임으로 나눕니다."], [])],
              table=[["스케줄링 기법", "특징"], ["FCFS", "먼저 온 작업을 먼저 처리"], ["라운드 로빈", "타임 퀀텀마다 교대"]])
    (corpus / "saved page.html").write_text(
        "<html><head><title>OSI 7계층</title><script>var leaked='스크립트비밀값';</script>"
        "<style>.x{color:red}</style></head><body><nav>홈 | 목록 | 로그인</nav><main>"
        "<h1>전송 계층</h1><p>TCP는 혼잡 제어와 흐름 제어를 합니다.</p><h2>UDP</h2>"
        "<p>UDP는 비연결형으로 지연이 작습니다.</p><img src=x onerror=alert(1)></main></body></html>",
        encoding="utf-8")
    (corpus / "obsidian.md").write_text(
        "---\ntitle: 데이터베이스 회고\ntags: [db, 정규화]\n---\n\n정규화는 [[이상 현상]]을 줄입니다. "
        "[[BCNF|보이스-코드 정규형]]은 모든 결정자가 후보키입니다. ![[ER 다이어그램.png]]\n", encoding="utf-8")
    (corpus / NOTION_NAME).write_text("파드는 쿠버네티스에서 가장 작은 배포 단위입니다.\n", encoding="utf-8")
    scanned_pdf(corpus / "스캔본.pdf")
    korean_pdf(corpus / "잠긴 문서.pdf", lecture_pages()[:2], encrypt="비밀번호")
    broken_pdf(corpus / "깨진 문서.pdf", corpus / "네트워크 강의.pdf")
    lib = NotesLibrary(corpus, root / "index", embedder, tokenizer)
    rep = lib.refresh()
    return lib, rep, corpus


def test_bad_pdfs_are_skipped_with_reasons_and_nothing_else_breaks(docs):
    lib, rep, _ = docs
    reasons = {s.path: s.reason for s in rep.skipped}
    assert set(reasons) == {"스캔본.pdf", "잠긴 문서.pdf", "깨진 문서.pdf"}
    # bars and no letters: OCR finds nothing (or, without Tesseract, says what to install)
    assert "텍스트 층" in reasons["스캔본.pdf"] and "OCR" in reasons["스캔본.pdf"]
    assert "암호" in reasons["잠긴 문서.pdf"]
    assert "손상" in reasons["깨진 문서.pdf"]
    assert rep.files == 5 and {c.source for c in lib.searcher.index.chunks} == {
        "네트워크 강의.pdf", "운영체제 요약.docx", "saved page.html", "obsidian.md", NOTION_NAME}


@pytest.mark.parametrize("k", [1, 7, 13, 22, 30])
def test_search_finds_each_fact_on_its_page(docs, k):
    lib, _, _ = docs
    for mode in ("keyword", "hybrid"):
        hits = lib.search(f"{TOPICS[k - 1]} 점검 코드명 ALPHA{k:02d}", mode=mode, k=3)
        top = hits[0]
        assert top.source == "네트워크 강의.pdf" and top.page == k, (mode, top)
        assert f"ALPHA{k:02d}" in top.text
        assert top.to_dict()["page"] == k


def test_chunks_never_cross_pages_and_headings_come_from_font_size(docs):
    lib, _, _ = docs
    pdf_chunks = [c for c in lib.searcher.index.chunks if c.source == "네트워크 강의.pdf"]
    assert {c.page for c in pdf_chunks} == set(range(1, 31))
    for c in pdf_chunks:
        codes = {k for k in range(1, 31) if f"ALPHA{k:02d}" in c.text}
        assert codes <= {c.page}, (c.page, codes)
        chapter = max(p for p in CHAPTERS if p <= c.page)
        assert CHAPTERS[chapter] in c.heading  # the chapter heading spans its pages
    assert not any("- 5 -" in c.text for c in pdf_chunks)  # page numbers dropped


def test_answer_cites_the_page(docs):
    from interfaces.web.chat import answer_api_markdown
    from tutor.answers.tutor import Tutor

    lib, _, _ = docs
    ans = Tutor(lib).ask("방화벽 장비의 점검 코드명과 점검 주기는?")
    line = next(ln for ln in ans.answer.splitlines() if "ALPHA03" in ln)  # the fact is quoted …
    n = int(re.search(r"\[(\d+)\]", line).group(1))
    cited = ans.sources[n - 1]  # … and cited with its page
    assert cited.source == "네트워크 강의.pdf" and cited.page == 3
    assert f"[{n}] 네트워크 강의.pdf p. 3" in answer_api_markdown(ans)


def test_quiz_draws_items_from_the_pdf_with_pages(docs):
    from tutor.quizzes.make import make_quiz

    lib, _, _ = docs
    quiz = make_quiz(lib, n=8, topic="제1장 네트워크 장비", seed=1)
    from_pdf = [it for it in quiz.items if it.source.source == "네트워크 강의.pdf"]
    assert len(from_pdf) >= 4
    assert all(it.source.page is not None and 1 <= it.source.page <= 30 for it in from_pdf)
    assert all(it.to_dict()["source"]["page"] == it.source.page for it in from_pdf)
    assert {it.kind for it in from_pdf} & {"cloze", "flashcard"}


def test_word_headings_lists_and_table_rows(docs):
    lib, _, _ = docs
    hit = lib.search("라운드 로빈 타임 퀀텀", mode="keyword", k=1)[0]
    assert hit.source == "운영체제 요약.docx" and hit.page is None
    assert "운영체제 요약 > 프로세스와 스레드" in hit.heading
    assert "| 라운드 로빈 | 타임 퀀텀마다 교대 |" in hit.text
    hit = lib.search("문맥 교환", mode="keyword", k=1)[0]
    assert "- 문맥 교환: 실행 중인 프로세스를 바꾸는 일" in hit.text


def test_html_keeps_main_text_and_drops_script_and_navigation(docs):
    lib, _, _ = docs
    html_chunks = [c for c in lib.searcher.index.chunks if c.source == "saved page.html"]
    text = "\n".join(c.indexed_text for c in html_chunks)
    assert "혼잡 제어" in text and "전송 계층" in text and "UDP" in text
    assert "스크립트비밀값" not in text and "color:red" not in text and "로그인" not in text
    assert not lib.search("스크립트비밀값", mode="keyword", k=3)


def test_obsidian_front_matter_and_wikilinks(docs):
    lib, _, _ = docs
    c = next(c for c in lib.searcher.index.chunks if c.source == "obsidian.md")
    assert "tags" not in c.indexed_text and "---" not in c.text
    assert c.heading.startswith("데이터베이스 회고")
    assert "이상 현상을 줄입니다" in c.text and "보이스-코드 정규형은" in c.text
    assert "[[" not in c.text and "ER 다이어그램.png" in c.text
    assert c.lines[1] == 6  # the text is on line 6 of the file: line numbers stay the file's own


def test_notion_hashed_name_is_shown_clean(docs):
    from retriever.readers import display_name

    lib, _, _ = docs
    assert display_name(NOTION_NAME) == "쿠버네티스 정리.md"
    titles = [s.title for s in lib.structure().sections if s.source == NOTION_NAME]
    assert titles == ["쿠버네티스 정리"]


def test_an_edited_pdf_reembeds_only_its_changed_page(docs, tmp_path, embedder, tokenizer):
    from retriever import NotesLibrary

    lib, first, corpus = docs
    work = tmp_path / "corpus"
    shutil.copytree(corpus, work)
    index = tmp_path / "index"
    shutil.copytree(lib.index_dir, index)
    pages = lecture_pages()
    pages[16] = PdfPage(None, ["17쪽이 고쳐졌습니다: 새 점검 코드명은 OMEGA17 입니다.", pages[16].paragraphs[1]])
    korean_pdf(work / "네트워크 강의.pdf", pages)
    rep = NotesLibrary(work, index, embedder, tokenizer).refresh()
    assert rep.changed and 1 <= rep.embedded <= 2, rep
    again = NotesLibrary(work, index, embedder, tokenizer)
    assert again.search("OMEGA17", mode="keyword", k=1)[0].page == 17


def test_upload_accepts_a_pdf_and_a_scan_and_refuses_a_broken_pdf(tmp_path):
    from studyapp.notes import UploadError, save_upload

    corpus = tmp_path / "notes"
    corpus.mkdir()
    pdf = korean_pdf(tmp_path / "강의.pdf", lecture_pages()[:3])
    saved = save_upload(corpus, pdf)
    assert saved.source == "강의.pdf" and (corpus / "강의.pdf").read_bytes() == pdf.read_bytes()
    # a scan is checked (it opens, its pages are listed), not recognised: OCR runs when indexing
    assert save_upload(corpus, scanned_pdf(tmp_path / "scan.pdf")).source == "scan.pdf"
    with pytest.raises(UploadError, match="손상"):
        save_upload(corpus, broken_pdf(tmp_path / "broken.pdf", pdf))
    assert sorted(p.name for p in corpus.iterdir()) == ["scan.pdf", "강의.pdf"]
