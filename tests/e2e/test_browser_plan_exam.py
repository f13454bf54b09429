"""Studying toward the exam in a real browser (issue 18), each learner logged in through the
app's login page: mastery reads 0 right after a wrong answer, with accuracy beside it and the
도움말; the 학습 계획 chart (new / review per day, the exam day marked) whose button starts
today's session in 복습; a 모의고사 whose countdown runs in the page and submits at zero, with
no feedback before the report (score, per-section table, time used, missed items). Also the
API's /exam, /exam_submit, /plan and /optimize for the login only. Headless Debian Chromium;
screenshots in test-artifacts/ (git-ignored)."""
from __future__ import annotations

import re
import shutil
from datetime import datetime, timedelta

import pytest

from bench.lib.app import app_client, app_env, copy_seed, free_port, start_app, stop_app, wait_for_app
from tests.support.browser import ARTIFACTS

pytestmark = pytest.mark.slow  # launches the app

USERS = {u: f"pw-{u}" for u in ("kim", "lee", "api1", "api2")}
MARKS = "(s) => document.querySelectorAll(s + ' .mark-rect path').length"


@pytest.fixture(scope="module")
def app(seed_corpus, seed_index_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("app-plan-exam")
    corpus, index = copy_seed(seed_corpus, seed_index_dir, root)
    url = f"http://127.0.0.1:{(port := free_port())}/"
    log = root / "app.log"
    auth = ",".join(f"{u}:{p}" for u, p in USERS.items())
    proc = start_app(app_env(corpus, index, port, data_dir=root / "data", STUDY_AUTH=auth), log)
    try:
        wait_for_app(proc, url, log, auth=("kim", USERS["kim"]))
        yield url
    finally:
        stop_app(proc)
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(log, ARTIFACTS / "browser-plan-exam-app.log")


@pytest.fixture
def page_of(browser, app, request):
    """page_of(user) → a page of the app logged in as `user`; no JS dialog may open."""
    contexts = []

    def open_as(user: str):
        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(60_000)
        page.dialogs = []
        page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
        page.goto(app)
        page.locator("input[type=text]").fill(user)
        page.locator("input[type=password]").fill(USERS[user])
        page.locator("input[type=password]").press("Enter")
        page.wait_for_function(f"() => (document.querySelector('#user-badge') || {{innerText: ''}})"
                               f".innerText.includes('{user}')")
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


def _text(page, selector: str) -> str:
    return page.evaluate("(s) => (document.querySelector(s) || {textContent: ''}).textContent", selector)


def _wait_text(page, selector: str, text: str, timeout: float = 60_000) -> None:
    page.wait_for_function("([s, t]) => (document.querySelector(s) || {textContent: ''}).textContent.includes(t)",
                           arg=[selector, text], timeout=timeout)


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.mouse.move(0, 0)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


@pytest.mark.browser
def test_mastery_reads_zero_after_a_miss_and_the_plan_starts_todays_session(page_of):
    page = page_of("kim")
    _tab(page, "퀴즈")
    page.locator("#quiz-topic textarea").fill("Glue FLEX")
    page.locator("#quiz-count input[type=number]").fill("1")
    page.locator("#quiz-count input[type=number]").press("Enter")
    for kind in ("객관식", "OX", "빈칸 채우기", "플래시카드"):
        page.get_by_label(kind, exact=True).uncheck()
    page.locator("#quiz-make").click()
    _wait_text(page, "#quiz-header", "문제 1 / 1")
    page.locator("#quiz-answer textarea").fill("전혀 모르겠어요")
    page.locator("#quiz-submit").click()
    _wait_text(page, "#quiz-feedback", "틀렸습니다")

    _tab(page, "학습 현황")  # the section just failed: mastery 0 %, accuracy 0 %, and what they mean
    _wait_text(page, "#progress-sections", "숙달도 기준일")
    cells = page.evaluate("() => [...document.querySelectorAll('#progress-sections tbody tr')]"
                          ".map(r => [...r.cells].map(c => c.textContent.trim()))")
    answered = [row for row in cells if row[3] == "1"]
    assert len(cells) == 7 and len(answered) == 1 and answered[0][1:3] == ["0%", "0%"], cells
    help_text = _text(page, "#progress-help")
    assert "숙달도" in help_text and "정답률" in help_text and "0으로 셉니다" in help_text
    page.wait_for_function(MARKS + " >= 7", arg="#progress-mastery")

    _tab(page, "학습 계획")
    _wait_text(page, "#plan-feasible", "계획 세우기")  # loaded (the settings stored: none yet)
    exam = (datetime.now() + timedelta(days=20)).date()
    page.locator("#plan-exam textarea").fill(exam.isoformat())
    page.locator("#plan-per-day input").fill("10")
    page.locator("#plan-make").click()
    _wait_text(page, "#plan-feasible", exam.isoformat())
    assert re.search(r"하루 10문제로는 부족합니다 — 하루 \d+문제면", _text(page, "#plan-feasible"))
    page.wait_for_function(MARKS + " >= 20", arg="#plan-chart")  # a bar per day and kind, and the exam day
    chart = _text(page, "#plan-chart")
    assert f"{exam.strftime('%m-%d')} 시험" in chart and "시험일" in chart and "새 문제" in chart
    assert "오늘 할 일" in _text(page, "#plan-today")
    assert page.evaluate("() => document.querySelectorAll('#plan-forecast tbody tr').length") == 7
    _shot(page, "tab-plan.png")
    page.locator("#plan-start").click()  # today's session, in 복습
    _wait_text(page, "#review-status", "(학습 계획)")
    assert "오늘의 학습" in _text(page, "#review-status")
    _wait_text(page, "#review-header", "문제 1 /")


@pytest.mark.browser
def test_mock_exam_counts_down_submits_at_zero_and_reports(page_of):
    page = page_of("lee")
    _tab(page, "모의고사")
    page.locator("#exam-n input[type=number]").fill("3")
    page.locator("#exam-n input[type=number]").press("Enter")
    page.locator("#exam-minutes input").fill("0.3")
    page.locator("#exam-start").click()
    _wait_text(page, "#exam-header", "문제 1 / 3")
    first = _text(page, "#exam-clock")
    assert re.search(r"남은 시간 00:\d\d / 0.3분", first), first
    page.wait_for_function("(t) => document.querySelector('#exam-clock').textContent !== t", arg=first)  # it runs
    assert "채점은 제출한 뒤에" in _text(page, "#exam-header")
    if page.locator("#exam-choice").is_visible():
        page.locator("#exam-choice label").first.click()
    else:
        page.locator("#exam-answer textarea").fill("모르겠어요")
    page.locator("#exam-next").click()
    _wait_text(page, "#exam-header", "답한 문제 1개")
    shown = " ".join(_text(page, f"#exam-{part}") for part in ("clock", "header", "report"))
    assert "정답" not in shown and "점수" not in shown  # no feedback before the end
    _shot(page, "tab-exam-running.png")
    _wait_text(page, "#exam-report", "점수", timeout=90_000)  # sent by the countdown at zero
    report = _text(page, "#exam-report")
    assert re.search(r"점수 [\d.]+점 \(\d / 3\)", report) and "걸린 시간 0분 18초 / 제한 0.3분" in report
    assert "늦은 제출" not in report and "제출됨" in _text(page, "#exam-clock")
    rows = page.evaluate("() => document.querySelectorAll('#exam-report table tbody tr').length")
    assert 1 <= rows <= 3
    missed = page.locator("#exam-report .exam-missed")
    assert missed.count() >= 2  # two items were never answered
    assert "정답:" in missed.first.text_content() and "출처:" in missed.first.text_content()
    _shot(page, "tab-exam-report.png")
    _tab(page, "오답 노트")  # every answer was recorded
    _wait_text(page, "#wrong-list", "오답 ")


def test_exam_plan_optimize_api_act_for_the_login_only(app):
    one, two = (app_client(app, (u, USERS[u])) for u in ("api1", "api2"))
    info = one.view_api(print_info=False, return_format="dict")["named_endpoints"]
    for name in ("/exam", "/exam_submit", "/plan", "/optimize"):
        assert all("user" not in p["parameter_name"] for p in info[name]["parameters"])
    sheet = one.predict(4, None, 3, api_name="/exam")
    assert list(sheet) == ["exam_id", "minutes", "items"] and len(sheet["items"]) == 4
    assert all("answer" not in it for it in sheet["items"])
    with pytest.raises(Exception, match="모의고사가 아닙니다"):  # not api2's exam
        two.predict(sheet["exam_id"], {}, api_name="/exam_submit")
    res = one.predict(sheet["exam_id"], {sheet["items"][0]["id"]: "A"}, api_name="/exam_submit")
    assert res["total"] == 4 and len(res["missed"]) >= 3
    with pytest.raises(Exception, match="이미 제출한"):
        one.predict(sheet["exam_id"], {}, api_name="/exam_submit")
    exam = (datetime.now() + timedelta(days=15)).date().isoformat()
    plan = one.predict(exam, 30, None, None, "", api_name="/plan")
    assert plan["user"] == "api1" and plan["per_day"] == 30 and len(plan["days"]) == 15
    opt = one.predict(api_name="/optimize")
    assert opt["user"] == "api1" and opt["reviews"] == 4 and opt["fitted"] is False
