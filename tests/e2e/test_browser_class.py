"""The class in a real browser (issue 23): the login page says in Korean how many tries are left
and that a name is locked; a learner's page has no 교사 tab; a teacher's page has it, with the
learners × sections heat map, the line saying what the numbers mean and the item analysis.
Headless Debian Chromium; screenshots go to test-artifacts/ (git-ignored)."""
from __future__ import annotations

import shutil

import pytest

from bench.lib.app import app_env, free_port, start_app, stop_app
from bench.lib.paths import ROOT
from tests.support.browser import ARTIFACTS
from tests.support.cli import run_cli

pytestmark = pytest.mark.browser

PW = {"kim": "teacher-pw-01", "ann": "ann-secret-02", "cho": "cho-secret-04"}


@pytest.fixture(scope="module")
def class_app(seed_corpus, seed_index_dir, tmp_path_factory):
    import requests

    root = tmp_path_factory.mktemp("app-class")
    shutil.copytree(seed_corpus, root / "corpus")
    shutil.copytree(seed_index_dir, root / "index")
    port = free_port()
    env = app_env(root / "corpus", root / "index", port, data_dir=root / "data")
    for name, pw in PW.items():
        args = ["users", "add", name, "--password-stdin"] + (["--teacher"] if name == "kim" else [])
        r = run_cli(args, env, ROOT, input=pw + "\n")
        assert r.returncode == 0, r.stderr
    log = root / "app.log"
    proc = start_app(env, log)
    url = f"http://127.0.0.1:{port}/"
    try:
        import time

        deadline = time.monotonic() + 180
        while True:  # the login page answers once the app is up
            try:
                if requests.get(url, timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            time.sleep(0.2)
        yield url
    finally:
        stop_app(proc)
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(log, ARTIFACTS / "browser-class.log")
        text = log.read_text(errors="replace")
        assert not any(pw in text for pw in PW.values())  # no password in the app's log


def _login_page(browser, url):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    page.wait_for_selector("input[type=password]")
    return ctx, page


def _submit(page, name: str, password: str) -> None:
    page.locator("input:not([type=password])").first.fill(name)
    page.locator("input[type=password]").fill(password)
    page.locator("button").filter(has_text="로그인").last.click()


def _log_in(browser, url, name: str):
    ctx, page = _login_page(browser, url)
    _submit(page, name, PW[name])
    page.wait_for_selector("#user-badge", timeout=120_000)
    page.wait_for_function("() => document.querySelector('#user-badge').innerText.includes(':')")
    return ctx, page


def test_the_login_page_says_tries_left_then_that_the_name_is_locked(browser, class_app):
    ctx, page = _login_page(browser, class_app)
    try:
        notices = []
        for k in range(6):  # five wrong passwords, then the right one: the name is locked by then
            with page.expect_response(lambda r: r.url.rstrip("/").endswith("/login")) as answer:
                _submit(page, "cho", f"wrong-{k}" if k < 5 else PW["cho"])
            detail = answer.value.json()["detail"]
            page.wait_for_function("(t) => { const e = document.querySelector('#login-notice');"
                                   " return e && e.innerText.trim() === t; }", arg=detail)
            notices.append(detail)
        assert notices[0] == "이름 또는 비밀번호가 틀렸습니다." and "1번 더 틀리면" in notices[3]
        assert all("'cho'" in n and "로그인할 수 없습니다" in n for n in notices[4:])
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "class-login-locked.png"))
    finally:
        ctx.close()


def test_a_learner_has_no_teacher_tab_and_a_teacher_reads_the_class(browser, class_app):
    ctx, page = _log_in(browser, class_app, "ann")
    try:
        assert "학습자" in page.locator("#user-badge").inner_text()
        page.get_by_role("tab", name="퀴즈").wait_for()
        assert page.get_by_role("tab", name="교사").count() == 0
        assert not page.locator("#class-heatmap").is_visible()
    finally:
        ctx.close()
    ctx, page = _log_in(browser, class_app, "kim")
    try:
        assert "교사" in page.locator("#user-badge").inner_text()
        page.get_by_role("tab", name="교사").click()
        page.wait_for_function("() => document.querySelector('#class-heatmap table')")
        heat = page.locator("#class-heatmap").inner_text()
        assert "ann" in heat and "cho" in heat and "kim" not in heat  # learners only
        assert "숫자의 뜻" in page.locator("#class-heat-help").inner_text()
        assert "분석한 문항" in page.locator("#class-items-summary").inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "class-teacher-tab.png"), full_page=True)
    finally:
        ctx.close()
