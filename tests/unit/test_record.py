"""The learning record's API on a real SQLite file and a real PostgreSQL server (every test runs
on both): what is kept, grading → FSRS, bad input, one user never sees another's data."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from learning import (InvalidAnswer, InvalidInput, LearningRecord, NotShown, RecordError,
                      UnknownItem)
from tests.support.records import at, make_items, record  # noqa: F401
from tutor.quizzes.grading import grade
from tutor.common.types import SourceRef

KOREAN_FIRST = re.compile(r"^[\uac00-\ud7a3]")


def _attempt_count(rec: LearningRecord, user: str) -> int:
    return rec.progress(user, at=at(days=1)).attempts


def test_show_keeps_a_snapshot_and_a_card_per_user(record):
    ctxs = make_items(4, kind="mcq")
    assert record.show("ann", ctxs, at=at()) == 4
    assert record.show("ann", ctxs, at=at(minutes=1)) == 0  # already known to ann
    assert record.show("bob", ctxs[:2], at=at()) == 2  # new to bob
    for ctx in ctxs:
        assert record.item("ann", ctx.item.id) == ctx.item  # the snapshot round-trips exactly
    got = record.item("bob", ctxs[0].item.id)
    assert got.options == ("가", "나", "다", "라") and got.source == SourceRef("notes.md", "제목 0", (1, 1))


def test_wrong_is_again_right_is_good_unless_rated(record):
    record.show("ann", make_items(4), at=at())
    wrong = record.record_attempt("ann", "short-0000", "모름", False, at=at())
    right = record.record_attempt("ann", "short-0001", "정답1", True, at=at())
    easy = record.record_attempt("ann", "short-0002", "정답2", True, rating="easy", at=at())
    hard = record.record_attempt("ann", "short-0003", "정답3", True, rating="HARD", seconds=12.5, at=at())
    assert (wrong.rating, right.rating, easy.rating, hard.rating) == ("again", "good", "easy", "hard")
    assert wrong.expected == "정답0" and wrong.correct is False and right.correct is True
    # FSRS default learning steps: again → 1 minute, good → 10 minutes; easy graduates to days
    assert wrong.due - at() == timedelta(minutes=1)
    assert right.due - at() == timedelta(minutes=10)
    assert easy.due - at() >= timedelta(days=1)
    assert wrong.due < hard.due <= right.due < easy.due
    d = right.to_dict()
    assert list(d) == ["user", "item_id", "correct", "expected", "rating", "due"]
    assert d["due"] == "2025-03-03T09:10:00+00:00" and d["user"] == "ann" and d["item_id"] == "short-0001"


def test_repeated_good_answers_space_out(record):
    record.show("ann", make_items(1), at=at())
    intervals, when = [], at()
    for _ in range(5):
        res = record.record_attempt("ann", "short-0000", "정답0", True, at=when)
        intervals.append(res.due - when)
        when = res.due
    assert intervals[-1] > intervals[-2] > intervals[1] and intervals[-1] >= timedelta(days=3)


def test_the_record_keeps_the_callers_verdict(record):
    """The tutor grades the item the record kept; the record stores that verdict and schedules."""
    ctxs = make_items(2, kind="mcq")  # answer "가" is option A
    record.show("ann", ctxs, at=at())
    first, second = record.item("ann", "mcq-0000"), record.item("ann", "mcq-0001")
    ok = record.record_attempt("ann", first.id, "A", grade(first, "A").correct, at=at())
    verdict = grade(second, "③")
    bad = record.record_attempt("ann", second.id, "③", verdict.correct, at=at())
    assert ok.correct and ok.rating == "good" and ok.due > at()
    assert not bad.correct and bad.rating == "again" and bad.expected == "가"
    assert "가" in verdict.feedback
    assert record.wrong("ann", at=at(minutes=1)).items[0].last_answer == "③"


def test_bad_input_is_refused_with_one_korean_line_and_nothing_written(record):
    record.show("ann", make_items(2), at=at())
    record.show("bob", make_items(3)[2:], at=at())
    cases = [
        (UnknownItem, lambda: record.record_attempt("ann", "no-such-item", "x", True, at=at())),
        (UnknownItem, lambda: record.item("ann", "no-such-item")),
        (NotShown, lambda: record.record_attempt("ann", "short-0002", "x", True, at=at())),  # bob's
        (NotShown, lambda: record.item("ann", "short-0002")),
        (InvalidAnswer, lambda: record.record_attempt("ann", "short-0000", "", True, at=at())),
        (InvalidAnswer, lambda: record.record_attempt("ann", "short-0000", "   \n", True, at=at())),
        (InvalidAnswer, lambda: record.record_attempt("ann", "short-0000", "가" * 100_000, True, at=at())),
        (InvalidInput, lambda: record.record_attempt("ann", "short-0000", "x", True, rating="super", at=at())),
        (InvalidInput, lambda: record.record_attempt("ann", "short-0000", "x", True, seconds=-3, at=at())),
        (InvalidInput, lambda: record.record_attempt("", "short-0000", "x", True, at=at())),
        (InvalidInput, lambda: record.record_attempt("a" * 500, "short-0000", "x", True, at=at())),
        (InvalidInput, lambda: record.review("ann", n=0, at=at())),
        (InvalidInput, lambda: record.show("ann", [object()], at=at())),
    ]
    for exc_type, call in cases:
        with pytest.raises(exc_type) as info:
            call()
        assert isinstance(info.value, RecordError)
        msg = str(info.value)
        assert "\n" not in msg and KOREAN_FIRST.match(msg) and len(msg) < 300, msg
    assert _attempt_count(record, "ann") == 0 and _attempt_count(record, "bob") == 0


def test_one_user_never_sees_another_users_record(record):
    record.show("ann", make_items(4), at=at())
    for k in range(4):
        record.record_attempt("ann", f"short-{k:04d}", "틀림", False, at=at())
    later = at(days=2)
    assert len(record.wrong("ann", at=later).items) == 4
    assert record.wrong("bob", at=later).items == ()
    assert record.review("bob", at=later).items == ()
    p = record.progress("bob", at=later)
    assert (p.attempts, p.due_now, p.sections, p.streak_days) == (0, 0, (), 0)
    with pytest.raises(NotShown):
        record.record_attempt("bob", "short-0000", "정답0", True, at=later)
    record.show("bob", make_items(1), at=later)  # bob sees the same item: his own card
    assert record.review("bob", at=later).items[0].reason == "new"
    assert record.progress("ann", at=later).attempts == 4


def test_exam_date_per_user_overrides_the_default(record_url):
    from datetime import date, timezone

    rec = LearningRecord.open(record_url, tz=timezone.utc, default_exam_date=date(2025, 4, 1))
    try:
        rec.set_exam_date("ann", date(2025, 3, 20), at=at())
        assert rec.exam_date("ann") == date(2025, 3, 20)
        assert rec.exam_date("bob") == date(2025, 4, 1)
        rec.set_exam_date("ann", None, at=at())
        assert rec.exam_date("ann") == date(2025, 4, 1)
    finally:
        rec.close()


def test_record_persists_across_reopen(record_url):
    from datetime import timezone

    with LearningRecord.open(record_url, tz=timezone.utc) as rec:
        rec.show("ann", make_items(3), at=at())
        rec.record_attempt("ann", "short-0000", "정답0", True, at=at())
    with LearningRecord.open(record_url, tz=timezone.utc) as rec:
        assert rec.progress("ann", at=at(minutes=1)).attempts == 1
        assert rec.item("ann", "short-0002").answer == "정답2"


def test_quiz_items_from_the_real_notes_round_trip(record, seed_library):
    """Items the real quiz generator makes (ids, options, sources) are kept as they are."""
    from learning import ItemContext
    from tutor.quizzes.make import make_quiz

    quiz = make_quiz(seed_library, n=8, seed=3)
    ctxs = [ItemContext.from_text(it, it.source.heading, it.question) for it in quiz.items]
    assert record.show("ann", ctxs, at=at()) == len(quiz.items) == 8
    for it in quiz.items:
        assert record.item("ann", it.id) == it
        res = record.record_attempt("ann", it.id, it.answer, grade(record.item("ann", it.id), it.answer).correct,
                                    at=at())
        assert res.correct, it


def test_an_item_from_a_pdf_keeps_its_page(record):
    from dataclasses import replace

    from learning import ItemContext

    ctx = make_items(1)[0]
    paged = replace(ctx.item, id="cloze-pdf0000001", source=replace(ctx.item.source, source="강의.pdf", page=12))
    record.show("ann", [ItemContext.from_text(paged, "제1장", "원문")], at=at())
    assert record.item("ann", paged.id).source.page == 12
    assert record.review("ann", n=5, at=at()).items[0].item.source.page == 12
