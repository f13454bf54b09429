"""The study app in a real browser: headless Debian Chromium driven by Playwright.

One app (`python app.py` in a subprocess) serves a tmp copy of the seed notes plus a hostile
note holding <script> and <img onerror>; every test listens for JavaScript dialogs and fails
on any. Screenshots go to test-artifacts/ (git-ignored).
"""
from __future__ import annotations

import re
import shutil

import pytest

from bench.lib.app import app_env, free_port, start_app, stop_app, wait_for_app
from tests.support.browser import ARTIFACTS

SEED_FILE = "0910-aws-data-engineering.md"
HOSTILE = """# 보안 점검 노트

## XSS 방어 점검

웹 페이지에 노트를 보여줄 때 스크립트 주입을 막아야 합니다. 아래 두 줄은 글자로만 보여야 합니다.

<script>alert(1)</script>

<img src=x onerror=alert(1)>

스크립트 주입 방어의 핵심은 출력 이스케이프입니다. [링크](javascript:alert(1)) 도 글자입니다.
"""
UPLOAD = "# 키네시스 메모\n\nKinesis 샤드 분할로 처리량을 늘립니다. 브라우저업로드확인 용어.\n"

SOURCES_SHOWN = "() => /출처 \\d+건/.test(document.querySelector('#chat').innerText)"

pytestmark = pytest.mark.browser  # Debian chromium (tests/support/browser.py)


@pytest.fixture(scope="module")
def app_url(seed_corpus, seed_index_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("app-browser")
    corpus, index = root / "corpus", root / "index"
    shutil.copytree(seed_corpus, corpus)
    (corpus / "xss-test.md").write_text(HOSTILE, encoding="utf-8")
    shutil.copytree(seed_index_dir, index)
    port = free_port()
    log = root / "app.log"
    proc = start_app(app_env(corpus, index, port), log)
    try:
        wait_for_app(proc, f"http://127.0.0.1:{port}/", log)
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop_app(proc)
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(log, ARTIFACTS / "browser-app.log")


@pytest.fixture
def page(browser, app_url, request):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    pg = ctx.new_page()
    pg.set_default_timeout(60_000)
    dialogs: list[str] = []

    def on_dialog(d):
        dialogs.append(f"{d.type}: {d.message}")
        d.dismiss()

    pg.on("dialog", on_dialog)
    pg.dialogs = dialogs
    pg.goto(app_url)
    pg.wait_for_selector("#chat-input textarea")
    yield pg
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    ctx.close()
    assert dialogs == [], f"a note's script ran: {dialogs}"


def _tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_chat_answer_cites_sources(page):
    assert "템플릿 모드" in page.locator("#mode-badge").inner_text()
    page.locator("#chat-input textarea").fill("Athena 파티션 프로젝션은 왜 쓰나요?")
    page.locator("#chat-send").click()
    chat = page.locator("#chat")
    page.wait_for_function(SOURCES_SHOWN)
    text = chat.inner_text()
    assert "[1]" in text and "파티션" in text
    # the sources panel is collapsed; open it and read file, lines and heading
    chat.get_by_text(re.compile(r"출처 \d+건")).first.click()
    page.wait_for_function(f"() => document.querySelector('#chat').innerText.includes('{SEED_FILE}')")
    text = chat.inner_text()
    assert re.search(r"\[1\] " + re.escape(SEED_FILE), text)
    assert re.search(r"\d+–\d+행", text)
    _shot(page, "tab-ask.png")
    # a follow-up turn keeps the conversation
    page.locator("#chat-input textarea").fill("그럼 파티션 인덱스는?")
    page.locator("#chat-input textarea").press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#chat [class*=\"message\"]').length > 0 && "
                           "(document.querySelector('#chat').innerText.match(/출처 \\d+건/g) || []).length >= 2")
    assert "그럼 파티션 인덱스는?" in chat.inner_text()


def test_quiz_item_is_graded(page):
    _tab(page, "퀴즈")
    page.locator("#quiz-topic textarea").fill("파티션")
    page.locator("#quiz-count input[type=number]").fill("2")
    page.locator("#quiz-count input[type=number]").press("Enter")
    page.locator("#quiz-make").click()
    page.wait_for_function("() => document.querySelector('#quiz-header').innerText.includes('문제 1 / 2')")
    for i in range(2):
        choice = page.locator("#quiz-choice")
        if choice.is_visible():
            choice.locator("label").first.click()
        else:
            page.locator("#quiz-answer textarea").fill("모르겠어요")
        page.locator("#quiz-submit").click()
        page.wait_for_function("() => /정답입니다|틀렸습니다/.test(document.querySelector('#quiz-feedback').innerText)")
        fb = page.locator("#quiz-feedback").inner_text()
        assert "출처" in fb and SEED_FILE in fb
        assert re.search(rf"점수 \d / {i + 1}", page.locator("#quiz-header").inner_text())
        if i == 0:
            _shot(page, "tab-quiz.png")
        page.locator("#quiz-next").click()
        if i == 0:
            page.wait_for_function("() => document.querySelector('#quiz-header').innerText.includes('문제 2 / 2')")
    page.wait_for_function("() => document.querySelector('#quiz-header').innerText.includes('퀴즈 끝')")
    review = page.locator("#quiz-review").inner_text()
    assert "틀린 문제" in review or "틀린 문제가 없습니다" in review
    page.get_by_role("button", name="CSV로 내보내기").click()
    page.wait_for_selector("#quiz-export a[href*='quiz-'][href*='.csv']")


def test_search_highlights_kiwi_terms(page):
    _tab(page, "검색")
    page.locator("#search-query textarea").fill("파티션을 나누는 이유")
    page.locator("#search-btn").click()
    page.wait_for_selector("#search-results .study-hit mark")
    marks = page.locator("#search-results mark").all_inner_texts()
    assert "파티션" in marks and "파티션을" not in marks
    first = page.locator("#search-results .study-hit").first.inner_text()
    assert SEED_FILE in first and "행" in first and "점수" in first
    _shot(page, "tab-search.png")
    # filter by a file that has no such term → no results
    page.locator("#search-source input").click()
    page.get_by_role("option", name="xss-test.md").click()
    page.locator("#search-btn").click()
    page.wait_for_function("() => document.querySelector('#search-results').innerText.includes('검색 결과가 없습니다')")


def test_hostile_note_is_shown_as_text_everywhere(page):
    _tab(page, "검색")
    page.locator("#search-query textarea").fill("스크립트 주입")
    page.locator("#search-btn").click()
    page.wait_for_selector("#search-results .study-hit")
    text = page.locator("#search-results").inner_text()
    assert "xss-test.md" in text
    assert "<script>alert(1)</script>" in text and "<img src=x onerror=alert(1)>" in text
    _tab(page, "질문하기")
    page.locator("#chat-input textarea").fill("XSS 방어 점검에서 스크립트 주입은 어떻게 막나요?")
    page.locator("#chat-send").click()
    page.wait_for_function(SOURCES_SHOWN)
    page.locator("#chat").get_by_text(re.compile(r"출처 \d+건")).first.click()
    page.wait_for_function("() => document.querySelector('#chat').innerText.includes('xss-test.md')")
    _tab(page, "노트 관리")
    page.wait_for_function("() => document.querySelector('#notes-table').innerText.includes('xss-test.md')")
    # an injected <img src=x onerror=…> would have fired by the time our own probe image fails
    page.evaluate("() => new Promise(done => { const i = new Image(); i.onerror = () => done(); i.src = 'x'; })")
    # nothing from the note became an element
    assert page.locator("img[src='x']").count() == 0
    assert page.evaluate("() => [...document.scripts].filter(s => s.textContent.includes('alert(1)')).length") == 0
    assert page.evaluate("() => [...document.querySelectorAll('a')].filter(a => a.href.startsWith('javascript:')).length") == 0
    assert page.dialogs == []


def test_notes_tab_upload_and_reindex(page):
    _tab(page, "노트 관리")
    page.wait_for_function(f"() => document.querySelector('#notes-table').innerText.includes('{SEED_FILE}')")
    status = page.locator("#index-status").inner_text()
    assert "파일 2개" in status and "e5fast" in status
    row = page.locator("#notes-table tr", has_text=SEED_FILE).inner_text()
    assert re.search(r"\t\d+\t", row) and "색인됨" in row
    _shot(page, "tab-notes.png")
    upload = ARTIFACTS / "업로드 메모.md"
    ARTIFACTS.mkdir(exist_ok=True)
    upload.write_text(UPLOAD, encoding="utf-8")
    page.locator("#notes-upload input[type=file]").set_input_files(str(upload))
    page.wait_for_function("() => document.querySelector('#notes-upload').innerText.includes('업로드 메모')")
    page.locator("#notes-upload-btn").click()
    page.wait_for_function("() => document.querySelector('#notes-message').innerText.includes('저장했습니다')")
    # the upload is indexed by itself and the table and status follow without a click
    page.wait_for_function("() => document.querySelector('#index-status').innerText.includes('파일 3개')",
                           timeout=120_000)
    page.wait_for_function(r"() => /업로드 메모\.md\s+\d+\s+[\d,]+\s+색인됨/.test("
                           "document.querySelector('#notes-table').innerText)")
    page.locator("#notes-reindex").click()
    page.wait_for_function("() => document.querySelector('#notes-message').innerText.includes('변경 없음')",
                           timeout=120_000)
    _tab(page, "검색")
    page.locator("#search-query textarea").fill("브라우저업로드확인")
    page.locator("#search-btn").click()
    page.wait_for_selector("#search-results .study-hit")
    assert "업로드 메모.md" in page.locator("#search-results").inner_text()


# -- LLM mode: a fake OpenAI-compatible server on 127.0.0.1 --------------------------------

LLM_PARTS = ["파티션 프로젝션은 ", "메타스토어를 우회해 ", "S3 경로 패턴으로 파티션을 계산합니다 [1]."]


def _sse(delta: dict, finish=None) -> str:
    import json

    body = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "test-model",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


def test_llm_mode_streams_into_the_chat_and_falls_back_visibly(browser, seed_corpus, seed_index_dir,
                                                               tmp_path, httpserver):
    import json
    import threading

    from werkzeug import Response

    state = {"fail": False}
    rest = threading.Event()  # the test lets the rest of the answer through once it saw the start

    def handler(request):
        body = json.loads(request.get_data(as_text=True))
        if state["fail"]:
            return Response("upstream down", status=500)
        if not body.get("stream"):
            return Response(json.dumps({"id": "c2", "object": "chat.completion", "created": 1,
                                        "model": "test-model", "choices": [{
                                            "index": 0, "finish_reason": "stop",
                                            "message": {"role": "assistant", "content": "파티션 프로젝션"}}]}),
                            content_type="application/json")

        def chunks():
            yield _sse({"role": "assistant", "content": ""})
            yield _sse({"content": LLM_PARTS[0]})
            rest.wait(timeout=60)
            for part in LLM_PARTS[1:]:
                yield _sse({"content": part})
            yield _sse({}, "stop") + "data: [DONE]\n\n"

        return Response(chunks(), content_type="text/event-stream")

    httpserver.expect_request("/v1/chat/completions").respond_with_handler(handler)
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(seed_corpus, corpus)
    shutil.copytree(seed_index_dir, index)
    port = free_port()
    log = tmp_path / "app-llm.log"
    env = app_env(corpus, index, port, STUDY_LLM="openai:test-model", STUDY_LLM_TIMEOUT="20",
                  OPENAI_API_KEY="test-key-not-real", OPENAI_BASE_URL=httpserver.url_for("/v1"))
    proc = start_app(env, log)
    ctx = None
    try:
        wait_for_app(proc, f"http://127.0.0.1:{port}/", log)
        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
        page = ctx.new_page()
        page.set_default_timeout(60_000)
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_selector("#chat-input textarea")
        assert "LLM: openai:test-model" in page.locator("#mode-badge").inner_text()

        page.locator("#chat-input textarea").fill("Athena 파티션 프로젝션은 왜 쓰나요?")
        page.locator("#chat-send").click()
        page.wait_for_function(f"() => document.querySelector('#chat').innerText.includes('{LLM_PARTS[0].strip()}')")
        partial = page.locator("#chat").inner_text()
        assert LLM_PARTS[-1] not in partial  # shown while still streaming
        rest.set()
        page.wait_for_function(SOURCES_SHOWN)
        text = page.locator("#chat").inner_text()
        assert "".join(LLM_PARTS) in text and "[1]" in text
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "llm-mode-stream.png"), full_page=True)

        state["fail"] = True  # the LLM server breaks: template answer + a visible notice
        page.locator("#chat-input textarea").fill("Glue FLEX 실행 클래스는 언제 쓰나요?")
        page.locator("#chat-send").click()
        page.wait_for_function("() => (document.querySelector('#chat').innerText.match(/출처 \\d+건/g) || []).length >= 2")
        text = page.locator("#chat").inner_text()
        assert "⚠️" in text and "HTTP 500" in text and "템플릿" in text
        page.screenshot(path=str(ARTIFACTS / "llm-mode-fallback.png"), full_page=True)
        assert dialogs == []
    finally:
        rest.set()
        if ctx is not None:
            ctx.close()
        stop_app(proc)
