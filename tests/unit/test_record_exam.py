"""모의고사 in the record, on SQLite and PostgreSQL: started (items recorded as shown, in order,
answers hidden from the sheet's JSON), submitted once with answers graded by the caller (every
item an attempt, FSRS updated, unanswered wrong), late submissions accepted and marked, bad
input refused with one line and nothing written; and how N items are shared across sections."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from learning import InvalidInput, RecordError
from learning.batch import GradedAnswer
from learning.exam_share import share_by_section
from learning.models import ATTEMPTS, CARDS, EXAMS
from tests.support.records import at, make_items, record  # noqa: F401

KOREAN_FIRST = re.compile(r"^[\uac00-\ud7a3]")


def _count(rec, table, **where) -> int:
    with rec._db.engine.connect() as conn:
        q = sa.select(sa.func.count()).select_from(table)
        for k, v in where.items():
            q = q.where(table.c[k] == v)
        return conn.execute(q).scalar_one()


def _reps(rec, user) -> dict[str, int]:
    with rec._db.engine.connect() as conn:
        return dict(conn.execute(sa.select(CARDS.c.item_id, CARDS.c.reps).where(CARDS.c.user_id == user)).all())


# -- sharing N items across sections (pure) -------------------------------------------------------
def test_share_by_section_is_proportional_with_one_each_when_n_allows():
    counts = {"1. a": 30, "2. b": 10, "3. c": 1, "4. d": 59}
    got = share_by_section(counts, 20)
    assert sum(got.values()) == 20 and all(got[s] >= 1 for s in counts)
    assert got == {"1. a": 6, "2. b": 2, "3. c": 1, "4. d": 11}  # 6.0, 2.0, 0.2→1, 11.8→11 (one went to c)
    assert share_by_section(counts, 100) == counts  # everything
    assert share_by_section(counts, 1000) == counts  # never more than a section has
    assert share_by_section(counts, 2) == {"1. a": 1, "4. d": 1}  # fewer than sections: the largest
    assert share_by_section({"1. a": 5, "2. b": 0}, 3) == {"1. a": 3}
    assert share_by_section(counts, 0) == {} and share_by_section({}, 5) == {}
    for n in range(4, 101):
        got = share_by_section(counts, n)
        assert sum(got.values()) == n and all(1 <= got[s] <= counts[s] for s in counts)
        for s in counts:  # within one of the exact share, unless the one-each minimum lifted it
            assert abs(got[s] - n * counts[s] / 100) < 1.5 or got[s] == 1


# -- the exam in the record ------------------------------------------------------------------
def test_start_records_the_items_as_shown_and_hides_the_answers(record):
    ctxs = make_items(6, sections=3, kind="mcq")
    sheet = record.start_exam("ann", ctxs, at=at())
    assert sheet.minutes == 9.0 and sheet.deadline == at(minutes=9)  # 1.5 minutes per item
    assert [it.id for it in sheet.items] == [c.item.id for c in ctxs]
    d = sheet.to_dict()
    assert list(d) == ["exam_id", "minutes", "items"] and d["exam_id"] == sheet.exam_id
    assert all("answer" not in it and "explanation" not in it for it in d["items"])
    assert d["items"][0]["options"] == ["가", "나", "다", "라"] and d["items"][0]["question"]
    for c in ctxs:
        assert record.item("ann", c.item.id) == c.item  # shown: gradeable by the usual path too
    assert record.exam_sheet("ann", sheet.exam_id).items[0].answer == "가"  # the caller's grader sees it
    assert record.start_exam("ann", ctxs[:2], minutes=3, at=at()).minutes == 3.0


def test_submit_records_every_item_and_reports(record):
    ctxs = make_items(5, sections=2)  # 1 → 0, 2, 4   2 → 1, 3
    sheet = record.start_exam("ann", ctxs, at=at())
    answers = [GradedAnswer("short-0000", "정답0", True), GradedAnswer("short-0001", "틀린 답", False),
               GradedAnswer("short-0002", "정답2", True), GradedAnswer("short-0003", "   ", True)]  # blank: unanswered
    res = record.submit_exam("ann", sheet.exam_id, answers, at=at(minutes=6))
    d = res.to_dict()
    assert list(d) == ["exam_id", "score", "correct", "total", "seconds", "sections", "missed"]
    assert (d["score"], d["correct"], d["total"], d["seconds"]) == (40.0, 2, 5, 360.0)
    assert d["sections"] == [{"section": "1. 섹션 1", "correct": 2, "total": 3},
                             {"section": "2. 섹션 2", "correct": 0, "total": 2}]
    assert [(m["id"], m["given"]) for m in d["missed"]] == [("short-0001", "틀린 답"), ("short-0003", None),
                                                           ("short-0004", None)]
    assert list(d["missed"][0]) == ["id", "question", "answer", "given", "source"] and d["missed"][0]["answer"] == "정답1"
    assert res.late is False and res.to_dict(detail=True)["late"] is False
    # every item is an attempt at the submission time, FSRS updated; the missed ones in the 오답 노트
    assert _count(record, ATTEMPTS, user_id="ann") == 5 and set(_reps(record, "ann").values()) == {1}
    assert {e.item.id for e in record.wrong("ann", at=at(minutes=7)).items} == {"short-0001", "short-0003", "short-0004"}
    assert record.exam_result("ann", sheet.exam_id).to_dict() == d  # the report again, from the rows


def test_a_second_submit_an_unknown_exam_or_item_is_one_line_and_writes_nothing(record):
    record.show("bob", make_items(1), at=at())
    sheet = record.start_exam("ann", make_items(3), at=at())
    bobs = record.start_exam("bob", make_items(1), at=at())
    cases = [
        lambda: record.submit_exam("ann", "exam-nosuchexam000", [], at=at(minutes=1)),
        lambda: record.submit_exam("ann", bobs.exam_id, [], at=at(minutes=1)),  # another learner's
        lambda: record.submit_exam("ann", sheet.exam_id, [GradedAnswer("short-0009", "x", True)], at=at(minutes=1)),
        lambda: record.submit_exam("ann", sheet.exam_id, [GradedAnswer("no-such", "x", True)], at=at(minutes=1)),
        lambda: record.submit_exam("ann", sheet.exam_id, [GradedAnswer("short-0000", "a", True),
                                                          GradedAnswer("short-0000", "b", True)], at=at(minutes=1)),
        lambda: record.submit_exam("ann", sheet.exam_id, [GradedAnswer("short-0000", "가" * 5000, True)], at=at(minutes=1)),
        lambda: record.submit_exam("ann", sheet.exam_id, [], at=at(minutes=-1)),  # before it started
        lambda: record.exam_result("ann", sheet.exam_id),  # not submitted yet
        lambda: record.exam_sheet("ann", None),
        lambda: record.start_exam("ann", [], at=at()),
        lambda: record.start_exam("ann", make_items(101), at=at()),
        lambda: record.start_exam("ann", make_items(2) * 2, at=at()),
        lambda: record.start_exam("ann", make_items(2), minutes=0, at=at()),
        lambda: record.start_exam("ann", make_items(2), minutes=-5, at=at()),
        lambda: record.start_exam("ann", make_items(2), minutes="long", at=at()),
        lambda: record.start_exam("ann", make_items(2), minutes=10_000, at=at()),
    ]
    exams_before = _count(record, EXAMS)
    for call in cases:
        with pytest.raises(RecordError) as info:
            call()
        msg = str(info.value)
        assert isinstance(info.value, InvalidInput) and "\n" not in msg and KOREAN_FIRST.match(msg), msg
    assert _count(record, ATTEMPTS) == 0 and _count(record, EXAMS) == exams_before
    assert record.exam_sheet("ann", sheet.exam_id).submitted_at is None
    first = record.submit_exam("ann", sheet.exam_id, [GradedAnswer("short-0000", "정답0", True)], at=at(minutes=2))
    assert first.correct == 1 and _count(record, ATTEMPTS, user_id="ann") == 3
    with pytest.raises(InvalidInput, match="이미 제출"):
        record.submit_exam("ann", sheet.exam_id, [GradedAnswer("short-0001", "정답1", True)], at=at(minutes=3))
    assert _count(record, ATTEMPTS, user_id="ann") == 3  # the second submit wrote nothing
    assert record.exam_result("ann", sheet.exam_id).correct == 1


def test_submitting_after_the_time_limit_is_accepted_and_marked_late(record):
    sheet = record.start_exam("ann", make_items(4), at=at())  # 6 minutes
    res = record.submit_exam("ann", sheet.exam_id, [GradedAnswer("short-0000", "정답0", True)],
                             at=at(minutes=6) + timedelta(seconds=1))
    assert res.late is True and res.seconds == 361.0 and res.correct == 1 and res.total == 4
    assert res.to_dict(detail=True)["late"] is True
    on_time = record.start_exam("ann", make_items(4), at=at(minutes=10))
    assert record.submit_exam("ann", on_time.exam_id, [], at=at(minutes=16)).late is False  # exactly at the limit
