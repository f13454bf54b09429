"""The study tabs in a real browser (issue 10, point 8), each learner logged in through the app's
own login page (STUDY_AUTH with several users): a quiz answer rated and reviewed, a wrong
answer that appears in 오답 노트 and is retried, the 학습 현황 charts drawn with data and the
exam date, two logins that never see each other's record, and a restart that keeps it all.
Headless Debian Chromium; screenshots go to test-artifacts/ (git-ignored)."""
from __future__ import annotations

import re
import shutil

import pytest

from bench.lib.app import app_env, copy_seed, free_port, start_app, stop_app, wait_for_app
from tests.support.browser import ARTIFACTS

SEED_FILE = "0910-aws-data-engineering.md"

pytestmark = pytest.mark.browser

USERS = {u: f"pw-{u}" for u in ("ann", "bob", "cho", "dan", "eve", "fay")}


class LaunchedApp:
    def __init__(self, root, corpus, index) -> None:
        self.root, self.corpus, self.index = root, corpus, index
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.proc = None
        self.runs = 0

    def start(self) -> None:
        self.runs += 1
        log = self.root / f"app-{self.runs}.log"
        auth = ",".join(f"{u}:{p}" for u, p in USERS.items())
        self.proc = start_app(app_env(self.corpus, self.index, self.port, data_dir=self.root / "data",
                                      STUDY_AUTH=auth), log)
        wait_for_app(self.proc, self.url, log, auth=("ann", USERS["ann"]))

    def stop(self) -> None:
        if self.proc is not None:
            stop_app(self.proc)
            ARTIFACTS.mkdir(exist_ok=True)
            shutil.copy(self.root / f"app-{self.runs}.log", ARTIFACTS / f"browser-study-app-{self.runs}.log")


@pytest.fixture(scope="module")
def app(seed_corpus, seed_index_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("app-browser-study")
    launched = LaunchedApp(root, *copy_seed(seed_corpus, seed_index_dir, root))
    launched.start()
    try:
        yield launched
    finally:
        launched.stop()


@pytest.fixture
def login(browser, app, request):
    """login(user) → a page of the app logged in as `user`; fails the test on any JS dialog.
    Every page is saved as test-artifacts/<test>-<user>.png at the end."""
    contexts = []

    def open_as(user: str):
        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(60_000)
        page.dialogs = []
        page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
        page.goto(app.url)
        page.locator("input[type=text]").fill(user)
        page.locator("input[type=password]").fill(USERS[user])
        page.locator("input[type=password]").press("Enter")
        page.wait_for_selector("#chat-input textarea")
        page.wait_for_function(f"() => document.querySelector('#user-badge').innerText.includes('{user}')")
        page.user = user
        return page

    yield open_as
    ARTIFACTS.mkdir(exist_ok=True)
    for ctx in contexts:
        for page in ctx.pages:
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{page.user}.png"), full_page=True)
            assert page.dialogs == [], page.dialogs
        ctx.close()


def _tab(page, name: str) -> None:
    page.get_by_role("tab", name=name, exact=True).click()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.mouse.move(0, 0)  # no hover colours in the picture
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def _wait_text(page, selector: str, text: str, timeout: float = 60_000) -> None:
    page.wait_for_function("([s, t]) => { const e = document.querySelector(s); return e && e.innerText.includes(t); }",
                           arg=[selector, text], timeout=timeout)


def _short_quiz(page, topic: str, n: int) -> None:
    """Make an n-item quiz of short-answer items only (typed answers: "모르겠어요" is surely wrong)."""
    _tab(page, "퀴즈")
    page.locator("#quiz-topic textarea").fill(topic)
    page.locator("#quiz-count input[type=number]").fill(str(n))
    page.locator("#quiz-count input[type=number]").press("Enter")
    for kind in ("객관식", "OX", "빈칸 채우기", "플래시카드"):
        page.get_by_label(kind, exact=True).uncheck()
    page.locator("#quiz-make").click()
    _wait_text(page, "#quiz-header", f"문제 1 / {n}")


def _answer(page, prefix: str, text: str) -> str:
    page.locator(f"#{prefix}-answer textarea").fill(text)
    page.locator(f"#{prefix}-submit").click()
    page.wait_for_function(f"() => /정답입니다|틀렸습니다/.test(document.querySelector('#{prefix}-feedback').innerText)")
    return page.locator(f"#{prefix}-feedback").inner_text()


def _rate(page, prefix: str, key: str, label: str) -> None:
    """Click a rating; the feedback names it and only its button is marked ●."""
    page.locator(f"#{prefix}-rate-{key}").click()
    _wait_text(page, f"#{prefix}-feedback", f"평가 {label}")
    page.wait_for_function(
        "([p, k]) => [...document.querySelectorAll(`[id^=${p}-rate-]`)].every(b => "
        "b.innerText.startsWith('●') === (b.id === `${p}-rate-${k}`))", arg=[prefix, key])


def test_wrong_answer_appears_in_the_wrong_notes_and_is_retried(login):
    page = login("ann")
    _short_quiz(page, "파티션", 1)
    question = page.locator("#quiz-question").inner_text()
    fb = _answer(page, "quiz", "모르겠어요")
    assert "틀렸습니다" in fb and "📒 기록됨" in fb and "평가 다시" in fb
    _rate(page, "quiz", "hard", "어려움")
    _shot(page, "tab-quiz-rated.png")
    _tab(page, "오답 노트")
    _wait_text(page, "#wrong-list", "모르겠어요")
    listing = page.locator("#wrong-list").inner_text()
    assert "오답 1개" in listing and SEED_FILE in listing and re.search(r"\d+(–\d+)?행", listing)
    assert "정답:" in listing and "해설:" in listing
    assert question.split("]")[-1].strip()[:10] in listing
    _shot(page, "tab-wrong.png")
    right = page.locator("#wrong-list .study-wrong b").first.inner_text()
    page.locator("#wrong-retry-one").click()
    _wait_text(page, "#wrong-header", "문제 1 / 1")
    assert "오답 다시 풀기" in page.locator("#wrong-header").inner_text()
    assert "정답입니다" in _answer(page, "wrong", right)
    _wait_text(page, "#wrong-list", "오답 노트가 비어 있습니다")  # by itself: no 새로고침 clicked


def test_review_queue_one_item_at_a_time_with_a_rating(login):
    page = login("bob")
    _short_quiz(page, "Glue", 3)
    _answer(page, "quiz", "모르겠어요")
    _rate(page, "quiz", "easy", "쉬움")  # not due for days: only the two unanswered are left
    _tab(page, "복습")
    _wait_text(page, "#review-status", "오늘의 복습 2문제")
    _wait_text(page, "#review-header", "남은 문제 2개")
    assert "문제 1 / 2" in page.locator("#review-header").inner_text()
    fb = _answer(page, "review", "모르겠어요")
    assert "출처" in fb and SEED_FILE in fb
    _wait_text(page, "#review-header", "남은 문제 1개")
    _rate(page, "review", "easy", "쉬움")
    _shot(page, "tab-review.png")
    _tab(page, "오답 노트")  # leaving the tab and coming back keeps the review where it was
    _wait_text(page, "#wrong-list", "모르겠어요")
    _tab(page, "복습")
    page.locator("#review-next").click()
    _wait_text(page, "#review-header", "문제 2 / 2")
    _answer(page, "review", "모르겠어요")
    _rate(page, "review", "easy", "쉬움")
    page.locator("#review-start").click()  # the queue is empty now: when is the next card due?
    _wait_text(page, "#review-status", "지금 복습할 문제가 없습니다")
    assert re.search(r"다음 복습: \d{4}-\d\d-\d\d \d\d:\d\d \(\d+일 후\)", page.locator("#review-status").inner_text())


MARKS = "(s) => document.querySelectorAll(s + ' .mark-rect path, ' + s + ' .mark-line path').length"


def _marks(page, elem: str) -> int:
    return page.evaluate(MARKS, f"#{elem}")


def _set_exam_date(page, text: str, expect: str) -> str:
    page.locator("#progress-exam-date textarea").fill(text)
    page.locator("#progress-exam-save").click()
    _wait_text(page, "#progress-exam-note", expect)
    return page.locator("#progress-exam-note").inner_text()


def test_progress_charts_render_with_data_and_the_exam_date(login):
    page = login("cho")
    _short_quiz(page, "Redshift", 2)
    _answer(page, "quiz", "모르겠어요")
    page.locator("#quiz-next").click()
    _wait_text(page, "#quiz-header", "문제 2 / 2")
    _answer(page, "quiz", "모르겠어요")
    _tab(page, "학습 현황")
    _wait_text(page, "#progress-summary", "답 2개")
    assert "cho" in page.locator("#progress-summary").inner_text()
    for elem in ("progress-mastery", "progress-attempts", "progress-due"):
        page.wait_for_function(MARKS + " > 0", arg=f"#{elem}")
    assert _marks(page, "progress-mastery") >= 7  # one bar per section
    mastery_text = page.locator("#progress-mastery").inner_text()
    assert "단원" in mastery_text or "숙달도" in mastery_text
    assert "저장했습니다" in _set_exam_date(page, "2030-01-15", "2030-01-15")
    page.wait_for_function(MARKS + " >= 7", arg="#progress-exam")
    _shot(page, "tab-progress.png")
    assert "⚠️" in _set_exam_date(page, "15/01/2030", "YYYY-MM-DD")


def test_two_logins_never_see_each_others_record(login):
    dan = login("dan")
    _short_quiz(dan, "Graviton", 1)
    _answer(dan, "quiz", "dan의 틀린 답")
    eve = login("eve")
    _tab(eve, "오답 노트")
    _wait_text(eve, "#wrong-list", "오답 노트가 비어 있습니다")
    _tab(eve, "학습 현황")
    _wait_text(eve, "#progress-summary", "답 0개")
    assert "eve" in eve.locator("#progress-summary").inner_text()
    _tab(dan, "오답 노트")
    _wait_text(dan, "#wrong-list", "dan의 틀린 답")
    assert "dan의 틀린 답" not in eve.locator("#wrong-list").inner_text()


def test_a_restart_keeps_the_record_queue_and_charts(login, app):
    page = login("fay")
    _short_quiz(page, "Data Exchange", 2)
    _answer(page, "quiz", "fay의 답")
    page.context.close()
    app.stop()
    app.start()
    page = login("fay")
    _tab(page, "오답 노트")
    _wait_text(page, "#wrong-list", "fay의 답")
    _tab(page, "복습")
    _wait_text(page, "#review-status", "오늘의 복습 1문제")  # the unanswered item is still queued
    _tab(page, "학습 현황")
    _wait_text(page, "#progress-summary", "답 1개")
    page.wait_for_function(MARKS + " > 0", arg="#progress-attempts")


def test_guide_tab_shows_the_study_guide_with_this_learners_misses_and_offers_the_pdf(login):
    # issue 19: the 단원 요약 tab — every section, fay's own 자주 틀린 문항 (none for eve), a PDF
    fay, eve = login("fay"), login("eve")
    _short_quiz(fay, "Glue FLEX", 1)
    assert "틀렸습니다" in _answer(fay, "quiz", "모르겠어요")
    for page in (fay, eve):
        _tab(page, "단원 요약")
        page.locator("#guide-show").click()
        _wait_text(page, "#guide-body", "6. AWS Glue FLEX 실행 클래스")
    assert "자주 틀린 문항" in fay.locator("#guide-body").inner_text()
    assert "자주 틀린 문항" not in eve.locator("#guide-body").inner_text()
    assert "시험 포인트" in eve.locator("#guide-body").inner_text()
    fay.locator("#guide-pdf").click()
    fay.wait_for_selector("#guide-file a[href*='.pdf'], #guide-file a[download]", timeout=60_000)
    _shot(fay, "guide-tab.png")
