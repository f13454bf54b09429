"""The 학습 계획 planner as pure logic (no database): FSRS arithmetic equal to py-fsrs's own, the
budget never exceeded, reviews moved earlier within FSRS's fuzz range, new items weakest and
unseen sections first and all by D-7, final reviews before the exam, forecasts, infeasible
plans and the budget that would make them feasible."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

import pytest
from fsrs import Card, Rating, Scheduler, State

from learning.fsrs_math import Memory, MemoryModel
from learning.plan import make_plan, needed_per_day
from learning.plan_types import FINAL_DAYS, PlanCard, PlanRequest

UTC = timezone.utc
AT = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
MODEL = MemoryModel(Scheduler())


def _req(cards=(), unseen=None, exam=date(2025, 5, 2), per_day=20, target=0.9, **kw) -> PlanRequest:
    return PlanRequest(AT, UTC, exam, per_day, target, tuple(cards), unseen=unseen or {}, **kw)


def _review_card(item_id, section, stability, last_days_ago, due_in_days, right=True, difficulty=5.0):
    return PlanCard(item_id, section, int(State.Review), None, stability, difficulty,
                    AT - timedelta(days=last_days_ago), AT + timedelta(days=due_in_days), right)


def _new_card(item_id, section):
    return PlanCard(item_id, section, int(State.Learning), 0, None, None, None, AT, None)


# -- FSRS arithmetic ----------------------------------------------------------------------------
def test_memory_model_equals_py_fsrs_for_review_state_answers():
    sched, rng, checked = Scheduler(enable_fuzzing=False), random.Random(3), 0
    for _ in range(300):
        s, d, days = rng.uniform(0.3, 200), rng.uniform(1, 10), rng.randint(1, 120)
        t = AT + timedelta(days=days)
        card = Card(card_id=1, state=State.Review, stability=s, difficulty=d, due=t, last_review=AT)
        good, _ = sched.review_card(card, Rating.Good, review_datetime=t)
        again, _ = sched.review_card(card, Rating.Again, review_datetime=t)
        relearned, _ = sched.review_card(again, Rating.Good, review_datetime=again.due)  # the step, same day
        right, wrong = MODEL.right(Memory(s, d), days), MODEL.wrong(Memory(s, d), days)
        assert right.stability == pytest.approx(good.stability, rel=1e-12)
        assert right.difficulty == pytest.approx(good.difficulty, rel=1e-12)
        assert relearned.state == State.Review
        assert wrong.stability == pytest.approx(relearned.stability, rel=1e-12)
        assert wrong.difficulty == pytest.approx(relearned.difficulty, rel=1e-12)
        assert MODEL.interval(good.stability) == (good.due - t).days
        assert MODEL.recall(s, days) == pytest.approx(sched.get_card_retrievability(card, t), rel=1e-12)
        mixed = MODEL.expected(Memory(s, d), days, 0.8)
        assert mixed.stability == pytest.approx(0.8 * good.stability + 0.2 * relearned.stability)
        checked += 1
    assert checked == 300


def test_first_answers_and_fuzz_range_are_py_fsrs_own(monkeypatch):
    sched = Scheduler(enable_fuzzing=False)
    card, _ = sched.review_card(Card(card_id=1, due=AT), Rating.Good, review_datetime=AT)
    card, _ = sched.review_card(card, Rating.Good, review_datetime=card.due)
    assert card.state == State.Review and MODEL.first_right == Memory(card.stability, card.difficulty)
    assert MODEL.first_wrong.stability < MODEL.first_right.stability
    # the shortest fuzzed interval: fsrs's own fuzz with its random draw at 0
    monkeypatch.setattr("fsrs.scheduler.random", lambda: 0.0)
    fuzzy = Scheduler()
    for ivl in (1, 2, 3, 5, 8, 13, 21, 40, 90, 365):
        got = fuzzy._get_fuzzed_interval(interval=timedelta(days=ivl)).days
        assert MODEL.earliest(ivl) == got, ivl
        assert MODEL.earliest(ivl) <= ivl


# -- the plan --------------------------------------------------------------------------------
def _all_days_within(plan, per_day, done=0):
    return all(d.total <= (per_day - done if k == 0 else per_day) for k, d in enumerate(plan.days))


@pytest.mark.parametrize("per_day, unseen, exam", [
    (20, 30, date(2025, 5, 2)),   # 300 items, 60 days
    (5, 30, date(2025, 5, 2)),    # far too little
    (20, 40, date(2025, 3, 20)),  # 400 items in 17 days
    (3, 2, date(2025, 3, 6)),     # an exam in three days
])
def test_the_budget_is_never_exceeded(per_day, unseen, exam):
    rng = random.Random(per_day)
    cards = [_review_card(f"r{k}", f"{k % 4 + 1}. s", rng.uniform(1, 60), rng.randint(1, 30), rng.randint(-5, 40))
             for k in range(120)]
    plan = make_plan(_req(cards, {f"{s}. s": unseen for s in range(1, 11)}, exam=exam, per_day=per_day), MODEL)
    assert len(plan.days) == (exam - AT.date()).days and plan.days[0].date == AT.date()
    assert _all_days_within(plan, per_day)


def test_a_feasible_plan_introduces_every_item_by_d_minus_7():
    plan = make_plan(_req(unseen={f"{s}. s": 30 for s in range(1, 11)}), MODEL)
    assert plan.feasible and plan.needed_per_day is None and plan.shortfall == 0
    by_d7 = sum(d.new for d in plan.days if d.date <= date(2025, 5, 2) - timedelta(days=7))
    assert by_d7 == 300 == sum(d.new for d in plan.days)
    assert plan.overall >= 0.9 and plan.overall_now == 0.0  # nothing known now, the target after


def test_reviews_move_earlier_within_the_fuzz_range_not_over_the_budget():
    """60 cards all due the same day (interval 30 days): the day holds 20; the others go to
    earlier days FSRS's fuzz allows, none later than due, none before its range."""
    cards = [_review_card(f"c{k:02d}", "1. s", 30.0, 25, 5) for k in range(60)]
    plan = make_plan(_req(cards, exam=date(2025, 4, 30), per_day=20), MODEL)
    assert _all_days_within(plan, 20)
    when = {i: d.date for d in plan.days for i in d.review_ids}
    first_pass = {i: w for i, w in when.items() if w <= AT.date() + timedelta(days=5)}
    assert len(first_pass) == 60  # every card reviewed by its due day
    earliest = AT.date() - timedelta(days=25) + timedelta(days=MODEL.earliest(30))
    assert min(first_pass.values()) >= earliest
    counts = sorted({w: sum(1 for x in first_pass.values() if x == w) for w in first_pass.values()}.items())
    assert counts[-1] == (AT.date() + timedelta(days=5), 20) and len(counts) >= 3


def test_final_review_in_the_last_days_for_cards_below_target():
    exam = date(2025, 3, 23)
    cards = [_review_card("weak", "1. s", 40.0, 10, 30),  # due after the exam, recall then ≈ 0.92
             _review_card("solid", "1. s", 3000.0, 10, 2000)]
    at_90 = make_plan(_req(cards, exam=exam, target=0.9), MODEL)
    assert not any(d.review_ids for d in at_90.days)  # ≈ 0.92 ≥ 0.9: nothing to do
    at_95 = make_plan(_req(cards, exam=exam, target=0.95), MODEL)
    planned = [(d.date, i) for d in at_95.days for i in d.review_ids]
    assert [i for _, i in planned] == ["weak"]
    assert planned[0][0] >= exam - timedelta(days=FINAL_DAYS)
    f90 = {s.section: s for s in at_90.sections}["1. s"]
    f95 = {s.section: s for s in at_95.sections}["1. s"]
    assert f95.exam > f90.exam == f90.now  # the final review raises the exam-day recall


def test_new_items_weakest_and_unseen_sections_first():
    cards = [
        _review_card("a0", "1. 틀린 단원", 2.0, 1, 1, right=False), _new_card("a1", "1. 틀린 단원"),
        _review_card("b0", "2. 아는 단원", 20.0, 1, 19), _new_card("b1", "2. 아는 단원"),
        _new_card("c0", "3. 새 단원"),
    ]
    plan = make_plan(_req(cards, {"4. 안 본 단원": 2}, accuracy={"1. 틀린 단원": (1, 0), "2. 아는 단원": (1, 1)},
                          per_day=3, exam=date(2025, 4, 1)), MODEL)
    order = [s for d in plan.days for s in d.new_sections]
    # failed (mastery 0, practised) → never practised (0; notes' order) → the known section
    assert order == ["1. 틀린 단원", "3. 새 단원", "4. 안 본 단원", "4. 안 본 단원", "2. 아는 단원"]
    assert [i for d in plan.days for i in d.new_ids] == ["a1", "c0", "b1"]


def test_forecast_follows_measured_accuracy_per_section():
    unseen = {"1. 잘함": 20, "2. 못함": 20}
    plan = make_plan(_req(unseen=unseen, accuracy={"1. 잘함": (50, 48), "2. 못함": (50, 20)},
                          exam=date(2025, 4, 2), per_day=40), MODEL)
    f = {s.section: s for s in plan.sections}
    assert f["1. 잘함"].exam > f["2. 못함"].exam > 0 and f["1. 잘함"].now == 0.0
    assert plan.overall == pytest.approx((f["1. 잘함"].exam + f["2. 못함"].exam) / 2)
    d = f["2. 못함"].to_dict()
    assert list(d) == ["section", "now", "exam"]


def test_infeasible_plan_says_so_and_the_smallest_budget_that_works():
    req = _req(unseen={"1. s": 150}, exam=date(2025, 3, 23), per_day=5)
    plan = make_plan(req, MODEL)
    assert not plan.feasible and plan.shortfall > 0 and plan.needed_per_day > 5
    need = plan.needed_per_day
    assert make_plan(_req(unseen={"1. s": 150}, exam=date(2025, 3, 23), per_day=need), MODEL).feasible
    assert not make_plan(_req(unseen={"1. s": 150}, exam=date(2025, 3, 23), per_day=need - 1), MODEL).feasible
    assert needed_per_day(req, MODEL) == need


def test_an_exam_today_has_no_days_and_new_items_cannot_be_ready():
    today = make_plan(_req(unseen={"1. s": 3}, exam=AT.date()), MODEL)
    assert today.days == () and not today.feasible and today.needed_per_day is None
    assert make_plan(_req(exam=AT.date()), MODEL).feasible


def test_work_done_today_counts_against_todays_budget():
    unseen = {"1. s": 200}
    fresh = make_plan(_req(unseen=unseen, per_day=20), MODEL)
    busy = make_plan(_req(unseen=unseen, per_day=20, done_today=(8, 7)), MODEL)
    assert fresh.days[0].total == 20 and busy.days[0].total == 5
    assert _all_days_within(busy, 20, done=15)
