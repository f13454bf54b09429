"""The learner's side of the web app in-process (issue 10): the 퀴즈 tab records every graded
answer and a rating re-rates that same attempt, the 약점 퀴즈, the 복습 queue, the 오답 노트
(filter, retry, export, escaping), 학습 현황's plot data and exam date, the API results acting
only for the user given by the login."""
from __future__ import annotations

import csv
import zipfile
from datetime import datetime, timedelta, timezone

import pytest

from learning import InvalidInput, NotShown
from tests.support.apps import make_app

XSS = "<script>alert(1)</script><img src=x onerror=alert(1)>"


@pytest.fixture
def sa(seed_corpus, seed_index_dir, tmp_path, embedder):
    app = make_app(seed_corpus, seed_index_dir, tmp_path / "data", embedder)
    yield app
    app.close()


def _attempts(sa, user: str) -> int:
    return sa.progress(user).attempts


def _answer_all(sa, user, s, right: bool):
    """Answer every item of session `s` (right or wrong); the finished session."""
    while s.current is not None:
        item = s.current
        s = sa.submit(user, s, item.answer if right else "전혀 모르겠어요")
        assert s.current_graded, s.message
        s = s.advance()
    return s


def test_the_user_is_the_login_else_the_default(sa):
    assert sa.user_of("ann") == "ann" and sa.user_of(None) == "local" and sa.user_of("") == "local"


# -- 퀴즈: recording and rating ------------------------------------------------------------------

def test_quiz_records_each_graded_answer_and_a_rating_rerates_the_same_attempt(sa):
    from interfaces.web.quiz_view import quiz_view

    s = sa.quiz_session("ann", "Athena", 3, ["short"], seed=1)
    assert len(s.items) == 3 and not s.message
    for it in s.items:  # shown to ann only
        assert sa.shown_item("ann", it.id).question == it.question
        with pytest.raises(NotShown):
            sa.shown_item("bob", it.id)
    same = sa.submit("ann", s, "   ")
    assert not same.current_graded and "답을 입력" in same.message and _attempts(sa, "ann") == 0
    s = sa.submit("ann", s, "전혀 모르겠어요")
    res = s.current_result
    assert s.current_graded and res.rating == "again" and not res.correct and _attempts(sa, "ann") == 1
    assert sa.submit("ann", s, "다시") is s  # a second submit records nothing
    v = quiz_view(s)
    assert v.rating == "again" and "📒 기록됨" in v.feedback and "다시" in v.feedback
    s2 = sa.rate("ann", s, "hard")
    assert s2.current_result.attempt_id == res.attempt_id and s2.current_result.rating == "hard"
    assert quiz_view(s2).rating == "hard" and "어려움" in quiz_view(s2).feedback
    assert _attempts(sa, "ann") == 1  # re-rated, not re-recorded
    assert sa.rate("bob", s2, "easy").message.startswith("평가를 기록하지 못했습니다")
    assert sa._record.rate("ann", res.attempt_id, "good").rating == "good"
    s3 = _answer_all(sa, "ann", s2.advance(), right=True)
    assert s3.finished and s3.correct == 2 and _attempts(sa, "ann") == 3
    assert "퀴즈 끝" in quiz_view(s3).header


def test_weak_quiz_comes_from_the_weakest_sections(sa):
    from studyapp.practice import weakest_sections

    s = _answer_all(sa, "ann", sa.quiz_session("ann", "Athena 파티션", 4, ["short", "cloze"], seed=2), right=True)
    studied = {it.section for it in s.items}
    weak = weakest_sections(sa.progress("ann"))
    assert len(weak) == 3 and not set(weak) & studied
    w = sa.weak_session("ann", 6, [], seed=3)
    assert w.title == "약점 퀴즈" and len(w.items) == 6 and all(s in w.quiz.notice for s in weak)
    got = {it.section for it in w.items}
    assert got <= set(weak) and len(got) >= 2, got
    assert all(sa.shown_item("ann", it.id) for it in w.items)  # recorded as shown


# -- 복습 ----------------------------------------------------------------------------------------

def test_review_queue_then_an_empty_queue_says_when_the_next_card_is_due(sa):
    from interfaces.web.study_views import review_status

    now = datetime.now(timezone.utc)
    first = sa.review_session("bob")
    assert not first.session.items and first.next_due is None
    assert "퀴즈" in review_status(first, now)
    s = sa.quiz_session("bob", "Glue FLEX", 3, ["short"], seed=4)
    s = sa.submit("bob", s, s.current.answer)
    start = sa.review_session("bob")
    shown = {it.id for it in s.items}
    assert {it.id for it in start.session.items} == shown - {s.items[0].id}
    assert start.reasons == ("weak", "weak") and start.session.title == "복습"
    assert "오늘의 복습 2문제" in review_status(start, now) and "약한 단원의 문제 2개" in review_status(start, now)
    done = _answer_all(sa, "bob", start.session, right=True)
    assert done.finished and _attempts(sa, "bob") == 3
    empty = sa.review_session("bob")
    assert not empty.session.items and empty.next_due is not None and empty.next_due > now
    text = review_status(empty, now)
    assert "다음 복습" in text and empty.next_due.strftime("%Y-%m-%d %H:%M") in text


# -- 오답 노트 -----------------------------------------------------------------------------------

def test_wrong_notes_filter_retry_export_and_escape(sa, tmp_path):
    from interfaces.web.study_views import ALL_SECTIONS, wrong_choices, wrong_html, wrong_sections

    a = sa.quiz_session("ann", "Kinesis", 1, ["short"], seed=5)
    b = sa.quiz_session("ann", "Graviton", 1, ["short"], seed=5)
    for s in (a, b):
        assert sa.submit("ann", s, XSS).current_graded
    notes = sa.wrong("ann")
    assert len(notes.items) == 2
    sections = wrong_sections(notes)
    assert sections[0] == ALL_SECTIONS and len(sections) == 3
    only = sa.wrong("ann", sections[2])
    assert len(only.items) == 1 and only.items[0].section == sections[2]
    html = wrong_html(notes, lambda e: sa.excerpt(e.item))
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;alert(1)" in html
    item = notes.items[0].item
    assert f"출처: {item.source.source}" in html and item.source.heading.split(" > ")[0] in html
    assert "정답: <b>" in html and "해설:" in html and "<blockquote" in html
    assert [v for _, v in wrong_choices(notes)] == [e.item.id for e in notes.items]
    # retry one: right this time → it leaves the 오답 노트
    r = sa.retry_session("ann", [item.id])
    assert r.title == "오답 다시 풀기" and [it.id for it in r.items] == [item.id]
    r = sa.submit("ann", r, item.answer)
    assert r.grades[0].correct and [e.item.id for e in sa.wrong("ann").items] != [item.id]
    assert len(sa.wrong("ann").items) == 1
    every = sa.retry_session("ann")
    assert len(every.items) == 1
    assert sa.retry_session("bob").message == "다시 풀 오답이 없습니다."
    path = sa.export_wrong("ann", None, "csv")
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert len(rows) == 2 and rows[1][5] == XSS
    assert zipfile.is_zipfile(sa.export_wrong("ann", None, "anki"))
    assert sa.export_wrong("bob", None, "csv") is None


# -- 학습 현황 -----------------------------------------------------------------------------------

def test_progress_plot_data_and_exam_date_per_user(sa):
    from interfaces.web.study_views import (attempts_frame, due_frame, exam_frame, exam_summary, mastery_frame,
                                            progress_summary)

    s = _answer_all(sa, "ann", sa.quiz_session("ann", "Redshift", 3, ["short"], seed=6), right=True)
    p = sa.progress("ann")
    m = mastery_frame(p)
    assert len(m) == 7 and m["숙달도(%)"].max() > 0 and m["단원"].iloc[0] == "1. AWS Data Exchange"
    per_day = attempts_frame(p)
    assert len(per_day) == 14 and per_day["답한 수"].iloc[-1] == 3 and per_day["답한 수"].sum() == 3
    due = due_frame(p)
    assert len(due) == 14 and due["복습 예정"].sum() == len(s.items)
    assert "답 **3**개" in progress_summary(p) and "연속 학습 **1**일" in progress_summary(p)
    assert len(exam_frame(p)) == 0 and "시험일을 입력" in exam_summary(p)
    exam = (datetime.now() + timedelta(days=30)).date()
    assert sa.set_exam_date("ann", exam.isoformat()) == exam
    p = sa.progress("ann")
    ef = exam_frame(p)
    assert p.exam.date == exam and len(ef) == 7 and 0 < ef["예상 기억률(%)"].max() < m["숙달도(%)"].max()
    assert exam.isoformat() in exam_summary(p)
    assert sa.progress("bob").exam is None  # per user
    with pytest.raises(InvalidInput):
        sa.set_exam_date("ann", "12/20")
    assert sa.set_exam_date("ann", "") is None and sa.progress("ann").exam is None


# -- the API for programs -----------------------------------------------------------------------

def test_api_results_act_for_the_login_with_the_cli_shapes(sa):
    from interfaces.web import api

    q = api.quiz_result(sa, "ann", "Athena", 2, "short", 7)
    ids = [it["id"] for it in q["items"]]
    g = api.grade_result(sa, "ann", ids[0], "전혀 모르겠어요", "")
    assert list(g) == ["user", "item_id", "correct", "expected", "rating", "due"]
    assert g["user"] == "ann" and g["rating"] == "again"
    assert api.grade_result(sa, "ann", ids[1], "몰라", "hard")["rating"] == "hard"
    with pytest.raises(NotShown):
        api.grade_result(sa, "bob", ids[0], "몰라")
    w = api.wrong_result(sa, "ann")
    assert [i["id"] for i in w["items"]] == [ids[1], ids[0]]
    assert list(w["items"][0]) == ["id", "question", "answer", "last_answer", "wrong_count", "source"]
    assert api.wrong_result(sa, "bob") == {"user": "bob", "items": []}
    r = api.review_result(sa, "ann", 5, "2099-01-01")
    assert r["user"] == "ann" and {i["id"] for i in r["items"]} == set(ids)
    assert all(i["reason"] == "due" for i in r["items"])
    p = api.progress_result(sa, "ann", "")
    assert list(p) == ["user", "attempts", "correct", "streak_days", "due_now", "sections", "exam", "horizon"]
    assert p["attempts"] == 2 and api.progress_result(sa, "bob")["attempts"] == 0
    with pytest.raises(InvalidInput):
        api.review_result(sa, "ann", 5, "어제")


def test_what_the_embedder_still_owes_is_settled_in_a_background_thread(sa, monkeypatch):
    """`warm_embedder` (the app calls it once the page answers) then starts the embedder's
    one-time measurement (e5fast's path choice after an upgrade) in its own thread."""
    import threading

    ran_in: list[str] = []
    done = threading.Event()
    monkeypatch.setattr(sa._library.embedder, "settle",
                        lambda: ran_in.append(threading.current_thread().name) or done.set() or True, raising=False)
    assert sa.warm_embedder()
    assert done.wait(timeout=10) and ran_in == ["settle-embedder"]
