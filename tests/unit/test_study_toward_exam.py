"""Studying toward the exam through the application (issue 18, above the learning record), in
process on the seed notes with the fake embedder: batch and "as of" grading through the one
grading path, the plan over the notes' facts never shown (a budget in minutes at the learner's
pace), 복습 following today's plan, 모의고사 (shares by section, 문제 시나리오 items, answers hidden,
one submission, the countdown's submission), personal parameters in the background, and the
page's views of them — each for the user given, bad input refused with nothing written."""
from __future__ import annotations

import json
import re
import time
from datetime import date, datetime, timedelta, timezone

import pytest

from learning import ExamAlreadySubmitted, InvalidInput, TooEarly, UnknownExam, share_by_section
from tests.support.apps import make_app
from tutor.common.types import QUIZ_KINDS
from tutor.quizzes.exam_items import EXAM_KINDS, notes_items

KOREAN_FIRST = re.compile(r"^[\uac00-\ud7a3]")
XSS = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def sa(seed_corpus, seed_index_dir, tmp_path_factory, embedder):
    app = make_app(seed_corpus, seed_index_dir, tmp_path_factory.mktemp("prep") / "data", embedder)
    yield app
    app.close()


@pytest.fixture(scope="module")
def items(sa):
    return notes_items(sa._record.library)


def _attempts(sa, user: str) -> int:
    """Answers recorded so far (some are recorded "as of" a few minutes ahead)."""
    return sa.progress(user, at=datetime.now(timezone.utc) + timedelta(hours=1)).attempts


def _show(sa, items, user: str, section: str, n: int) -> list:
    """`n` short-answer items of the section whose title contains `section`, recorded as shown
    to `user` (as a quiz would, without making a quiz)."""
    title = next(t for t in items.by_section if section in t)
    chosen = [c.to_item() for c in items.by_section[title] if c.kind == "short"][:n]
    sa._record.remember(user, chosen)
    return chosen


def _in_days(n: int) -> date:
    return (datetime.now().astimezone() + timedelta(days=n)).date()


# -- grading in batches and "as of" --------------------------------------------------------------

def test_a_batch_grades_each_line_on_its_own_and_at_its_time(sa, items):
    quiz = _show(sa, items, "ann", "Athena 파티션", 3)
    soon = (datetime.now(timezone.utc) + timedelta(minutes=2)).isoformat()
    lines = [json.dumps({"item_id": quiz[0].id, "answer": quiz[0].answer, "at": soon}, ensure_ascii=False),
             "{broken", "",
             json.dumps({"item_id": "short-nowhere", "answer": "x"}),
             json.dumps({"item_id": quiz[1].id, "answer": "전혀 모름", "rating": "hard"}, ensure_ascii=False),
             json.dumps({"item_id": quiz[2].id, "answer": "x", "at": "2001-01-01T09:00"}),
             json.dumps({"item_id": quiz[0].id, "answer": "x", "at": "2001-01-01"})]
    out = sa.grade_batch("ann", lines)
    assert [o.line for o in out] == [1, 2, 4, 5, 6, 7]  # a blank line is no answer
    good = {o.line: o.result for o in out if o.result is not None}
    assert set(good) == {1, 5} and good[1].correct and good[1].at == datetime.fromisoformat(soon)
    assert not good[5].correct and good[5].rating == "hard"
    for o in out:
        if o.result is None:
            assert o.error.startswith(f"줄 {o.line}: ") and "\n" not in o.error
            assert o.to_dict() == {"line": o.line, "error": o.error}
        else:
            assert list(o.to_dict()) == ["user", "item_id", "correct", "expected", "rating", "due"]
    assert "처음 본 시각보다 앞섭니다" in out[4].error and "unknown item" in out[2].error
    assert _attempts(sa, "ann") == 2  # the bad lines wrote nothing
    with pytest.raises(TooEarly):  # one answer "as of" before the learner's previous one
        sa.grade("ann", quiz[0].id, quiz[0].answer, at=datetime.now(timezone.utc))
    later = sa.grade("ann", quiz[2].id, quiz[2].answer, at=datetime.now(timezone.utc) + timedelta(minutes=5))
    assert later.record.correct and _attempts(sa, "ann") == 3


# -- the plan over the notes ------------------------------------------------------------------------

def test_the_plan_counts_the_notes_facts_and_minutes_become_items_at_the_learners_pace(sa, items):
    facts = sum(items.facts(QUIZ_KINDS).values())
    exam = _in_days(30).isoformat()
    p = sa.plan("bob", exam=exam, per_day=200)
    assert p.feasible and sum(d.new for d in p.days) == facts and len(p.days) == 30
    assert [s.section for s in p.sections] == sa.section_titles()
    shown = _show(sa, items, "bob", "Glue", 3)
    p2 = sa.plan("bob", exam=exam, per_day=200)
    assert sum(d.new for d in p2.days) == facts  # shown, not answered: new cards, their facts covered
    assert {it.id for it in shown} <= {i for d in p2.days for i in d.new_ids}
    b = sa.budget("bob", 30)
    assert (b.per_day, b.seconds_per_item, b.measured) == (40, 45.0, False)  # the default pace
    assert sa.plan("bob", exam=exam, minutes=30).per_day == 40
    for it in shown:
        sa.grade("bob", it.id, it.answer, seconds=60)
    assert sa.budget("bob", 30).to_dict() == {"per_day": 30, "minutes": 30.0, "seconds_per_item": 60.0,
                                              "measured": True}
    before = sa.study_settings("bob")
    for call in (lambda: sa.plan("bob", exam="2020-01-01"), lambda: sa.plan("bob", exam="12/20"),
                 lambda: sa.plan("bob", exam=exam, per_day=0), lambda: sa.plan("bob", exam=exam, per_day=-2),
                 lambda: sa.plan("bob", exam=exam, minutes=0), lambda: sa.plan("bob", exam=exam, minutes=-5),
                 lambda: sa.plan("bob", exam=exam, target=0.99), lambda: sa.plan("bob", exam=exam, target=0.5),
                 lambda: sa.plan("bob", exam=exam, per_day=10, minutes=10), lambda: sa.budget("bob", 0.5),
                 lambda: sa.set_study_settings("bob", minutes=0), lambda: sa.plan("cho")):
        with pytest.raises(InvalidInput) as info:
            call()
        assert KOREAN_FIRST.match(str(info.value)) and "\n" not in str(info.value)
    assert sa.study_settings("bob") == before  # nothing stored
    assert sa.set_study_settings("bob", minutes=15).per_day == 15  # 15 min at 60 s an item


def test_review_follows_todays_plan_with_new_items_made_from_the_notes(sa):
    from interfaces.web.study_views import review_status

    assert sa.review_session("dan").plan_day is None  # no exam date: the usual queue
    sa.set_exam_date("dan", _in_days(20).isoformat())
    sa.set_study_settings("dan", per_day=8)
    start = sa.review_session("dan")
    day, s = start.plan_day, start.session
    assert day is not None and day.total == 8 and len(s.items) == 8 and start.reasons == ("new",) * 8
    assert s.title == "오늘의 학습" and "오늘의 학습 8문제 (학습 계획)" in review_status(start, datetime.now())
    assert all(sa.shown_item("dan", it.id) for it in s.items)  # recorded as shown, as a quiz does
    assert {it.section for it in s.items} == set(day.new_sections)  # the plan's (weakest) sections
    again = sa.review_session("dan")
    assert {it.id for it in again.session.items} == {it.id for it in s.items}  # not made twice
    assert {e.item.id for e in sa.review("dan").items} == {it.id for it in s.items}
    done = s
    for _ in range(3):
        done = sa.submit("dan", done, done.current.answer).advance()
    rest = sa.review_session("dan")
    answered = {it.id for it in s.items[:3]}
    assert len(rest.session.items) == 5 and not answered & {it.id for it in rest.session.items}


# -- 모의고사 ---------------------------------------------------------------------------------------

def test_an_exam_across_sections_with_scenarios_answers_hidden_and_one_submission(sa, items):
    from interfaces.web import api

    sheet = sa.start_exam("eve", 14, seed=5)
    per = {}
    for it in sheet.items:
        per[it.section] = per.get(it.section, 0) + 1
    assert per == share_by_section(items.facts(EXAM_KINDS), 14) and sheet.minutes == 21
    scenarios = {s: {c.to_item().id for c in cs if c.form == "scenario"} for s, cs in items.by_section.items()}
    assert sum(bool(ids) for ids in scenarios.values()) >= 3
    ids = {it.id for it in sheet.items}
    assert all(ids & scen for scen in scenarios.values() if scen)  # a 문제 시나리오 item wherever there is one
    d = sheet.to_dict()
    assert list(d) == ["exam_id", "minutes", "items"] and all("answer" not in i and "explanation" not in i
                                                              for i in d["items"])
    assert all(sa.shown_item("eve", i) for i in ids)
    with pytest.raises(UnknownExam):  # another learner's exam is no exam of theirs
        sa.submit_exam("fay", sheet.exam_id, {})
    answers = {it.id: it.answer for it in sheet.items[:5]}
    answers[sheet.items[5].id] = XSS
    answers[sheet.items[6].id] = "  "
    with pytest.raises(InvalidInput):  # an item not in the exam: nothing written
        sa.submit_exam("eve", sheet.exam_id, {**answers, "short-nowhere": "x"})
    assert _attempts(sa, "eve") == 0
    r = sa.submit_exam("eve", sheet.exam_id, answers)
    assert (r.correct, r.total, r.score, r.late) == (5, 14, round(500 / 14, 1), False)
    assert sum(s.total for s in r.sections) == 14 and len(r.missed) == 9
    given = {m.item.id: m.given for m in r.missed}
    assert given[sheet.items[5].id] == XSS and given[sheet.items[6].id] is None
    assert _attempts(sa, "eve") == 14  # every item recorded, unanswered ones wrong
    with pytest.raises(ExamAlreadySubmitted):
        sa.submit_exam("eve", sheet.exam_id, answers)
    assert _attempts(sa, "eve") == 14 and sa.exam_result("eve", sheet.exam_id) == r
    for bad in (lambda: sa.start_exam("eve", 0), lambda: sa.start_exam("eve", 101),
                lambda: sa.start_exam("eve", 5, minutes=0)):
        with pytest.raises(InvalidInput):
            bad()
    # the API: the same shapes, for the login only; answers may come as a JSON string
    started = api.exam_start_result(sa, "gus", 2, None, 3)
    assert list(started) == ["exam_id", "minutes", "items"] and len(started["items"]) == 2
    first = started["items"][0]["id"]
    res = api.exam_submit_result(sa, "gus", started["exam_id"], json.dumps({first: "모름"}, ensure_ascii=False))
    assert list(res) == ["exam_id", "score", "correct", "total", "seconds", "sections", "missed"]
    assert res["total"] == 2 and [m["given"] for m in res["missed"]].count("모름") == 1


def test_the_countdowns_submission_counts_at_the_limit_and_a_late_one_is_marked(sa):
    now = datetime.now(timezone.utc)
    on_time = sa.start_exam("hal", 2, minutes=1, seed=6, at=now - timedelta(seconds=65))
    r = sa.submit_exam("hal", on_time.exam_id, {}, timed_out=True)  # sent at zero, arriving 5 s on
    assert not r.late and r.seconds == 60.0
    late = sa.start_exam("hal", 2, minutes=1, seed=7, at=now - timedelta(minutes=3))
    r = sa.submit_exam("hal", late.exam_id, {late.items[0].id: late.items[0].answer}, timed_out=True)
    assert r.late and r.seconds >= 180 and r.correct == 1  # accepted, marked late with the time used
    assert r.to_dict(detail=True)["late"] is True


# -- weakest sections, honest mastery, personal parameters --------------------------------------------

def test_a_section_just_failed_reads_zero_and_comes_first(sa, items):
    from interfaces.web.plan_views import MASTERY_HELP, mastery_table_html
    from studyapp.practice import weakest_sections

    quiz = _show(sa, items, "ivy", "Glue FLEX", 2)
    for it in quiz:
        sa.grade("ivy", it.id, "전혀 모르겠어요")
    p = sa.progress("ivy")
    failed = next(s for s in p.sections if s.attempts)
    assert failed.mastery == 0 and failed.accuracy == 0
    assert weakest_sections(p) == p.weakest(3) and p.weakest(1) == [failed.section]
    html = mastery_table_html(p)
    row = re.search(rf"<tr data-section='{re.escape(failed.section)}'>(.*?)</tr>", html).group(1)
    assert "<td class='num mastery'>0%</td><td class='num accuracy'>0%</td>" in row
    assert "숙달도 기준일" in html and "숙달도" in MASTERY_HELP and "정답률" in MASTERY_HELP


def test_personal_parameters_in_the_background_report_as_the_cli_does(sa):
    from interfaces.web.plan_views import job_markdown, optimize_markdown

    assert sa.optimize_job("ann") is None and "맞추기" in job_markdown(None)
    job = sa.start_optimize("ann")
    deadline = time.monotonic() + 30
    while (job := sa.optimize_job("ann")).running and time.monotonic() < deadline:
        time.sleep(0.05)  # waiting on the condition, not for a fixed time
    assert not job.running and job.error is None and job.result.needed > 0 and not job.result.fitted
    assert job.result.message in job_markdown(job).replace("\\", "")
    now = sa.optimize("ann")
    assert now.to_dict() == job.result.to_dict() and "log loss" in optimize_markdown(now)
    assert sa.study_settings("ann").parameters is None  # below the minimum the defaults stay


# -- the page's views --------------------------------------------------------------------------------

def test_plan_and_exam_views(sa):
    from interfaces.web.exam_view import ExamRun, clock_html, question_view, report_html
    from interfaces.web.plan_views import feasibility_markdown, forecast_html, plan_frame, today_markdown

    p = sa.plan("jay", exam=_in_days(10).isoformat(), per_day=5)
    frame, order = plan_frame(p)
    assert len(frame) == 2 * len(p.days) + 1 and order[-1].endswith("시험") and len(order) == len(p.days) + 1
    assert frame["종류"].iloc[-1] == "🎯 시험일" and frame["문제 수"].iloc[:-1].sum() == sum(d.total for d in p.days)
    assert not p.feasible and f"하루 **{p.needed_per_day}**문제면" in feasibility_markdown(p)
    assert f"오늘 할 일: {p.days[0].total}문제" in today_markdown(p)
    assert forecast_html(p).count("<tr>") == len(p.sections) + 1
    sheet = sa.start_exam("jay", 3, seed=8)
    run = ExamRun.start(sheet).answered(XSS).moved(1).answered("B").moved(5)
    assert run.pos == 2 and run.by_id() == {sheet.items[0].id: XSS, sheet.items[1].id: "B"}
    v = question_view(run)
    assert "문제 **3 / 3**" in v.header and "답한 문제 **2**개" in v.header
    hidden = sheet.items[2].explanation
    assert not hidden or hidden not in v.question + v.header  # no feedback before the end
    clock = clock_html(run, datetime.now().astimezone())
    assert 'data-state="running"' in clock and f'data-exam="{sheet.exam_id}"' in clock
    result = sa.submit_exam("jay", sheet.exam_id, run.by_id())
    html = report_html(result, sheet.minutes)
    assert "<script" not in html and "&lt;script&gt;" in html and "정답: <b>" in html and "출처:" in html
    assert 'data-state="done"' in clock_html(ExamRun(sheet, run.answers, 2, result), datetime.now().astimezone())
