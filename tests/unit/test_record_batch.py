"""Grading "as of" another time and in batches, on SQLite and PostgreSQL: an answer timed before
the item was shown or before the previous answer is refused with one line and nothing written;
a batch records each line in its own transaction, a bad line reported with its number and
skipped; and the check of one JSONL line of a batch file."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from learning import InvalidInput, RecordError
from learning.attempts import TooEarly
from learning.batch import GradedAnswer, parse_batch_line
from tests.support.records import at, make_items, record  # noqa: F401

KOREAN_FIRST = re.compile(r"^[\uac00-\ud7a3]")


def _attempts(rec, user="ann") -> int:
    return rec.progress(user, at=at(days=400)).attempts


def test_an_answer_before_the_item_was_shown_or_the_previous_answer_is_refused(record):
    record.show("ann", make_items(2), at=at())
    for when in (at(minutes=-1), at(days=-3)):
        with pytest.raises(TooEarly) as info:
            record.record_attempt("ann", "short-0000", "정답0", True, at=when)
        assert isinstance(info.value, InvalidInput) and KOREAN_FIRST.match(str(info.value))
        assert "처음 본" in str(info.value) and "\n" not in str(info.value)
    assert _attempts(record) == 0
    first = record.record_attempt("ann", "short-0000", "정답0", True, at=at(days=2))
    with pytest.raises(TooEarly, match="이전 답"):
        record.record_attempt("ann", "short-0000", "틀림", False, at=at(days=1))
    assert _attempts(record) == 1 and record.wrong("ann", at=at(days=3)).items == ()
    same = record.record_attempt("ann", "short-0000", "정답0", True, at=at(days=2))  # the same moment is fine
    assert same.at == first.at
    assert record.record_attempt("ann", "short-0001", "정답1", True, at=at(days=1)).correct  # another item


def test_now_is_moved_up_to_the_showing_never_refused(record):
    ahead = datetime.now(timezone.utc) + timedelta(hours=2)  # shown "later" by a clock ahead of ours
    record.show("ann", make_items(1), at=ahead)
    res = record.record_attempt("ann", "short-0000", "정답0", True)  # no `at`: now, moved up
    assert res.at == ahead and record.progress("ann", at=ahead + timedelta(days=1)).attempts == 1


def test_a_batch_records_good_lines_and_reports_bad_ones(record):
    record.show("ann", make_items(3), at=at())
    record.show("bob", make_items(5)[4:], at=at())
    batch = [
        GradedAnswer("short-0000", "정답0", True, at=at(minutes=1), line=1),
        GradedAnswer("short-0001", "틀림", False, at=at(minutes=2), line=2),
        GradedAnswer("no-such-item", "x", True, at=at(minutes=3), line=3),
        GradedAnswer("short-0004", "x", True, at=at(minutes=3), line=4),  # shown to bob only
        GradedAnswer("short-0000", "정답0", True, at=at(minutes=0.5), line=5),  # before line 1's answer
        GradedAnswer("short-0002", "정답2", True, rating="super", at=at(minutes=4), line=6),
        GradedAnswer("short-0002", "", True, at=at(minutes=4), line=7),
        GradedAnswer("short-0002", "정답2", True, rating="easy", at=at(minutes=5), line=8),
        GradedAnswer("short-0000", "정답0", True, at=at(days=1), line=9),
    ]
    out = record.record_batch("ann", batch)
    assert [o.line for o in out] == list(range(1, 10))
    ok = [o for o in out if o.result is not None]
    assert [o.line for o in ok] == [1, 2, 8, 9]
    assert ok[0].to_dict() == ok[0].result.to_dict() and list(ok[0].to_dict()) == [
        "user", "item_id", "correct", "expected", "rating", "due"]
    assert ok[2].result.rating == "easy" and ok[1].result.rating == "again"
    for o in out:
        if o.result is None:
            d = o.to_dict()
            assert list(d) == ["line", "error"] and d["error"].startswith(f"줄 {o.line}: ")
            assert "\n" not in d["error"] and KOREAN_FIRST.match(d["error"])
    assert _attempts(record) == 4  # only the good lines, in order
    assert [e.item.id for e in record.wrong("ann", at=at(days=2)).items] == ["short-0001"]
    assert record.progress("bob", at=at(days=2)).attempts == 0
    with pytest.raises(InvalidInput):
        record.record_batch("", batch)


def test_a_batch_line_is_checked_before_it_is_graded():
    kst = timezone(timedelta(hours=9))
    got = parse_batch_line('{"item_id": "mcq-1", "answer": "B", "at": "2025-06-01T09:00", "rating": "hard"}', 3, kst)
    assert (got.line, got.item_id, got.answer, got.rating) == (3, "mcq-1", "B", "hard")
    assert got.at == datetime(2025, 6, 1, 0, 0, tzinfo=timezone.utc)
    assert parse_batch_line('  {"item_id":"a","answer":"x"}  ', 1).at is None
    assert parse_batch_line("   ", 4) is None  # a blank line is no answer
    bad = ['{"item_id": "a"', '["a", "x"]', '{"item_id": "a", "answer": "x", "extra": 1}', '{"answer": "x"}',
           '{"item_id": "a", "answer": ""}', '{"item_id": "a", "answer": 3}', '{"item_id": "a", "answer": "x", "at": "어제"}',
           '{"item_id": "a", "answer": "x", "at": 5}', '{"item_id": "a", "answer": "x", "rating": "great"}',
           '{"item_id": "a", "answer": "x", "seconds": "long"}', '{"item_id": "", "answer": "x"}',
           '{"item_id": "a", "answer": "' + "가" * 30_000 + '"}']
    for k, text in enumerate(bad, start=10):
        with pytest.raises(InvalidInput) as info:
            parse_batch_line(text, k)
        msg = str(info.value)
        assert isinstance(info.value, RecordError) and msg.startswith(f"줄 {k}: ") and "\n" not in msg, msg
