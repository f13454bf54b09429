"""The 학습 계획 through the record, on SQLite and PostgreSQL: its JSON shape, the learner's stored
settings, bad input refused with one line and nothing written, the review queue following
today's plan, and a learner's own desired retention scheduling their reviews."""
from __future__ import annotations

import re
from datetime import date, timedelta, timezone

import pytest
import sqlalchemy as sa

from learning import InvalidInput, LearningRecord, RecordError
from learning.models import USER_SETTINGS
from tests.support.records import at, make_items, record  # noqa: F401

KOREAN_FIRST = re.compile(r"^[\uac00-\ud7a3]")
EXAM = date(2025, 4, 1)  # 29 days after at()


def _settings_rows(rec: LearningRecord) -> list[tuple]:
    with rec._db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(USER_SETTINGS).order_by(USER_SETTINGS.c.user_id))]


def test_plan_shape_days_to_the_exam_and_forecast(record):
    record.show("ann", make_items(40, sections=4), at=at())
    for k in range(8):
        record.record_attempt("ann", f"short-{k:04d}", "답", k % 4 != 0, at=at(minutes=k))
    plan = record.plan("ann", exam=EXAM, per_day=10, at=at(minutes=30), unseen={"5. 섹션 5": 6})
    d = plan.to_dict()
    assert list(d) == ["user", "exam", "per_day", "target", "feasible", "needed_per_day", "days", "predicted"]
    assert (d["user"], d["exam"], d["per_day"], d["target"]) == ("ann", "2025-04-01", 10, 0.9)
    assert list(d["days"][0]) == ["date", "review", "new", "total"] and d["days"][0]["date"] == "2025-03-03"
    assert len(d["days"]) == 29 and d["days"][-1]["date"] == "2025-03-31"
    assert all(day["total"] == day["review"] + day["new"] <= 10 for day in d["days"])
    assert list(d["predicted"]) == ["overall", "sections"]
    assert [s["section"] for s in d["predicted"]["sections"]] == [f"{k}. 섹션 {k}" for k in range(1, 5)] + ["5. 섹션 5"]
    assert all(list(s) == ["section", "now", "exam"] for s in d["predicted"]["sections"])
    assert sum(day["new"] for day in d["days"]) == 32 + 6  # every never-answered item, and the unseen
    assert d["feasible"] is True and d["needed_per_day"] is None
    assert all(s["exam"] >= s["now"] for s in d["predicted"]["sections"])
    # items answered today count against today's budget
    assert d["days"][0]["total"] <= 10 - 8
    # too small a budget: said so, with the budget that is enough; a learner who gets half of
    # them wrong needs more reviews, so more a day
    record.show("bob", make_items(40, sections=4), at=at())
    for k in range(8):
        record.record_attempt("bob", f"short-{k:04d}", "답", k % 2 == 0, at=at(minutes=k))
    need = {}
    for user in ("ann", "bob"):
        small = record.plan(user, exam=EXAM, per_day=3, at=at(minutes=30), unseen={"5. 섹션 5": 6}).to_dict()
        assert small["feasible"] is False and small["needed_per_day"] > 3
        assert all(day["total"] <= 3 for day in small["days"])
        need[user] = small["needed_per_day"]
        assert record.plan(user, exam=EXAM, per_day=need[user], at=at(minutes=30), unseen={"5. 섹션 5": 6}).feasible
    assert need["bob"] > need["ann"]


def test_stored_settings_are_the_defaults_of_the_plan(record_url):
    with LearningRecord.open(record_url, tz=timezone.utc, fuzz=False, default_exam_date=date(2025, 5, 1)) as rec:
        rec.show("ann", make_items(10), at=at())
        assert rec.plan("ann", at=at()).to_dict()["per_day"] == 20  # defaults: 20 a day, 0.9
        assert rec.plan("ann", at=at()).exam == date(2025, 5, 1)  # STUDY_EXAM_DATE-like default
        s = rec.set_study_settings("ann", per_day=7, target=0.95, at=at())
        assert (s.per_day, s.target, s.desired_retention) == (7, 0.95, 0.9)
        rec.set_exam_date("ann", EXAM, at=at())
    with LearningRecord.open(record_url, tz=timezone.utc, fuzz=False) as rec:  # kept across reopen
        p = rec.plan("ann", at=at())
        assert (p.exam, p.per_day, p.target) == (EXAM, 7, 0.95)
        assert rec.plan("ann", per_day=12, target=0.85, at=at()).per_day == 12  # an argument wins
        assert rec.learner_settings("bob").per_day == 20
        assert rec.learner_settings("ann").to_dict() == {
            "user": "ann", "exam": "2025-04-01", "per_day": 7, "target": 0.95, "desired_retention": 0.9,
            "personal_parameters": False}


def test_bad_plan_input_is_one_korean_line_and_nothing_written(record):
    record.show("ann", make_items(3), at=at())
    record.set_study_settings("ann", per_day=9, at=at())
    before = _settings_rows(record)
    cases = [
        lambda: record.plan("ann", exam=date(2025, 3, 2), at=at()),  # yesterday
        lambda: record.plan("ann", exam="2025-13-40", at=at()),
        lambda: record.plan("ann", exam="다음 주", at=at()),
        lambda: record.plan("bob", at=at()),  # no exam date anywhere
        lambda: record.plan("ann", exam=EXAM, per_day=0, at=at()),
        lambda: record.plan("ann", exam=EXAM, per_day=-3, at=at()),
        lambda: record.plan("ann", exam=EXAM, per_day=2.5, at=at()),
        lambda: record.plan("ann", exam=EXAM, per_day="many", at=at()),
        lambda: record.plan("ann", exam=EXAM, target=0.5, at=at()),
        lambda: record.plan("ann", exam=EXAM, target=0.99, at=at()),
        lambda: record.plan("ann", exam=EXAM, target=1.5, at=at()),
        lambda: record.plan("ann", exam=EXAM, target=float("nan"), at=at()),
        lambda: record.plan("ann", exam=EXAM, at=at(), unseen={"1. 섹션 1": -1}),
        lambda: record.set_study_settings("ann", per_day=0, at=at()),
        lambda: record.set_study_settings("ann", target=0.3, at=at()),
        lambda: record.set_study_settings("ann", desired_retention=0.5, at=at()),
        lambda: record.set_study_settings("ann", per_day=5, target=2.0, at=at()),  # one bad: none written
        lambda: record.set_exam_date("ann", date(2025, 3, 2), at=at()),  # a past exam date is not stored
    ]
    for call in cases:
        with pytest.raises(InvalidInput) as info:
            call()
        msg = str(info.value)
        assert isinstance(info.value, RecordError) and "\n" not in msg and KOREAN_FIRST.match(msg), msg
    assert _settings_rows(record) == before
    assert record.plan("ann", exam=EXAM, target=0.51, at=at()).target == 0.51  # just inside
    record.set_exam_date("ann", at().date(), at=at())  # today is still allowed
    assert record.exam_date("ann") == at().date()


def test_review_follows_todays_plan_and_empties_when_it_is_done(record):
    record.show("ann", make_items(60, sections=3), at=at(days=-10))
    for k in range(30):  # a month's history: many cards due on different days
        record.record_attempt("ann", f"short-{k:04d}", f"정답{k}", k % 5 != 0, at=at(days=-10 + k % 9))
    now = at(minutes=1)
    plan = record.plan("ann", exam=EXAM, per_day=12, at=now)
    today = plan.today
    assert today is not None and today.date == date(2025, 3, 3)
    q = record.review("ann", n=100, at=now, plan=plan)
    expected = list(dict.fromkeys([*today.repeat_ids, *today.review_ids])) + list(today.new_ids)
    assert sorted(e.item.id for e in q.items) == sorted(expected)
    assert len([e for e in q.items if e.reason == "due"]) == len(set(today.repeat_ids) | set(today.review_ids))
    assert {e.reason for e in q.items if e.due is None} <= {"weak", "new"}
    plain = record.review("ann", n=100, at=now)
    assert [e.item.id for e in plain.items] != [e.item.id for e in q.items]  # the plan chose otherwise
    for k, e in enumerate(q.items):  # do today's work, right answers
        record.record_attempt("ann", e.item.id, e.item.answer, True, at=now + timedelta(minutes=k))
    later = now + timedelta(minutes=len(q.items) + 1)
    again = record.plan("ann", exam=EXAM, per_day=12, at=later)
    assert again.days[0].total == 0  # today's budget is spent
    left = record.review("ann", n=100, at=later, plan=again)
    assert all(e.reason == "due" for e in left.items)  # only learning steps that fall due again
    with pytest.raises(InvalidInput):
        record.review("bob", n=5, at=now, plan=plan)
    tomorrow = record.review("ann", n=5, at=at(days=1), plan=plan)  # an old plan: the usual queue
    assert [e.item.id for e in tomorrow.items] == [e.item.id for e in record.review("ann", n=5, at=at(days=1)).items]


def test_a_learners_desired_retention_schedules_their_reviews(record):
    for user in ("ann", "bob"):
        record.show(user, make_items(1), at=at())
        record.record_attempt(user, "short-0000", "정답0", True, rating="easy", at=at())
    record.set_study_settings("ann", desired_retention=0.8, at=at())
    a = record.record_attempt("ann", "short-0000", "정답0", True, at=at(days=8))
    b = record.record_attempt("bob", "short-0000", "정답0", True, at=at(days=8))
    assert a.due - at(days=8) > (b.due - at(days=8)) * 1.5  # 0.8 spaces reviews well beyond 0.9
    assert record.learner_settings("ann").desired_retention == 0.8


def test_shown_items_and_the_learners_measured_pace(record):
    record.show("ann", make_items(4, sections=2), at=at())
    record.show("bob", make_items(1), at=at())
    shown = record.shown_items("ann")
    assert [it.id for it in shown] == [f"short-{k:04d}" for k in range(4)]
    assert [it.section for it in shown] == ["1. 섹션 1", "2. 섹션 2"] * 2  # with their section
    assert [it.id for it in record.shown_items("bob")] == ["short-0000"] and record.shown_items("cho") == ()
    assert record.seconds_per_item("ann") is None  # nothing timed yet
    for k, secs in enumerate((20, 40, 0.2, 7200, 30)):  # a click and a break are not a pace
        record.record_attempt("ann", f"short-{k % 4:04d}", "답", True, seconds=secs, at=at(minutes=k))
    record.record_attempt("ann", "short-0001", "답", True, at=at(minutes=9))  # untimed
    assert record.seconds_per_item("ann") == 30  # the median of 20, 40, 30
    assert record.seconds_per_item("bob") is None
    record.mark_stale(hash_of=lambda source, lines: None)  # every note line gone
    assert record.shown_items("ann") == ()  # stale items are not live
