"""Studying with the record, on SQLite and PostgreSQL: the review queue, the 오답 노트 and its
exports, progress per section, notes that change (stale items), and `at` for planning."""
from __future__ import annotations

import csv
import sqlite3
import zipfile
from datetime import date, timedelta, timezone

from learning import LearningRecord, export_wrong_anki, export_wrong_csv
from learning.wrong_files import CSV_HEADER
from tests.support.records import at, make_items, record  # noqa: F401


def _ids(queue) -> list[str]:
    return [e.item.id for e in queue.items]


def test_review_queue_due_first_most_overdue_then_weakest_sections(record):
    # sections: 1 → items 0, 3   2 → items 1, 4   3 → items 2, 5
    record.show("ann", make_items(6, sections=3), at=at())
    r0 = record.record_attempt("ann", "short-0000", "몰라", False, at=at())  # again: due +1 min
    r1 = record.record_attempt("ann", "short-0001", "정답1", True, at=at())  # good: due +10 min
    assert r0.due < r1.due

    # nothing due yet: only never-answered items, weakest sections first by honest mastery —
    # section 1 (just failed) and 3 (never practised) both read 0, the failed one first
    # (sections.weak_key); section 2 (answered right) reads above 0 and comes last
    now = record.review("ann", n=10, at=at())
    assert [e.reason for e in now.items] == ["weak", "new", "new", "weak"]
    assert _ids(now) == ["short-0003", "short-0002", "short-0005", "short-0004"]

    later = record.review("ann", n=10, at=at(minutes=30))
    assert _ids(later) == ["short-0000", "short-0001", "short-0003", "short-0002", "short-0005", "short-0004"]
    assert [e.reason for e in later.items] == ["due", "due", "weak", "new", "new", "weak"]
    assert later.items[0].due == r0.due and later.items[2].due is None
    assert [e.section for e in later.items[:4]] == ["1. 섹션 1", "2. 섹션 2", "1. 섹션 1", "3. 섹션 3"]
    assert _ids(record.review("ann", n=3, at=at(minutes=30))) == ["short-0000", "short-0001", "short-0003"]

    d = later.to_dict()
    assert list(d) == ["user", "items"] and d["user"] == "ann"
    first = d["items"][0]
    assert list(first) == ["id", "kind", "question", "options", "answer", "explanation", "source", "reason", "due"]
    assert first["due"] == "2025-03-03T09:01:00+00:00" and d["items"][2]["due"] is None


def test_review_due_order_follows_how_overdue(record):
    record.show("ann", make_items(3), at=at())
    # answered on three different days, all "good" from new: due 10 minutes after each answer
    for k, day in ((0, 2), (1, 0), (2, 1)):
        record.record_attempt("ann", f"short-{k:04d}", f"정답{k}", True, at=at(days=day))
    q = record.review("ann", n=5, at=at(days=3))
    assert _ids(q) == ["short-0001", "short-0002", "short-0000"]
    assert all(e.reason == "due" for e in q.items)
    assert [e.due for e in q.items] == sorted(e.due for e in q.items)


def test_mastery_is_honest_wrong_or_unseen_zero_right_counts_recall_at_the_horizon(record):
    record.show("ann", make_items(4, sections=2), at=at())  # 1 → 0, 2   2 → 1, 3
    record.record_attempt("ann", "short-0000", "정답0", True, at=at())
    record.record_attempt("ann", "short-0002", "정답2", True, rating="easy", at=at())
    record.record_attempt("ann", "short-0001", "틀림", False, at=at())
    p = record.progress("ann", at=at(minutes=5))
    same_day = {s.section: s.mastery for s in p.sections}
    # no exam date: the horizon is 7 days on; a wrong answer a minute ago counts 0 (FSRS alone
    # would read ≈ 1 now and ≈ 0.6 in a week), the unseen item 3 counts 0
    assert p.horizon == (at() + timedelta(days=7)).date() and p.to_dict()["horizon"] == "2025-03-10"
    assert same_day["2. 섹션 2"] == 0.0
    assert 0.5 < same_day["1. 섹션 1"] < 1.0  # two right answers, recall a week on below 1
    # every answer wrong → 0 right after; the same items answered right twice over two weeks → high
    record.show("bob", make_items(2, sections=1), at=at())
    for k in range(2):
        record.record_attempt("bob", f"short-{k:04d}", "틀림", False, at=at(minutes=1))
    assert record.progress("bob", at=at(minutes=2)).sections[0].mastery == 0.0
    for k in range(2):
        record.record_attempt("bob", f"short-{k:04d}", f"정답{k}", True, at=at(days=1))
        record.record_attempt("bob", f"short-{k:04d}", f"정답{k}", True, at=at(days=14))
    assert record.progress("bob", at=at(days=14, minutes=5)).sections[0].mastery > 0.85
    # a right answer loses to a later wrong one
    record.record_attempt("bob", "short-0000", "틀림", False, at=at(days=15))
    assert record.progress("bob", at=at(days=15, minutes=5)).sections[0].mastery < 0.5


def test_mastery_looks_at_the_exam_date_when_set(record_url):
    from datetime import date

    with LearningRecord.open(record_url, tz=timezone.utc, fuzz=False) as rec:
        rec.show("ann", make_items(1), at=at())
        rec.record_attempt("ann", "short-0000", "정답0", True, at=at())
        week = rec.progress("ann", at=at(minutes=5)).sections[0].mastery
        rec.set_exam_date("ann", date(2025, 4, 30), at=at())
        p = rec.progress("ann", at=at(minutes=5))
        assert p.horizon == date(2025, 4, 30) and p.to_dict()["horizon"] == "2025-04-30"
        assert 0 < p.sections[0].mastery < week  # eight weeks away: less recall than one week away
        assert p.exam is not None and dict(p.exam.predicted_retention)["1. 섹션 1"] == p.sections[0].mastery
        # an exam date already past: back to 7 days on
        assert rec.progress("ann", at=at(days=60)).horizon == (at(days=67)).date()


def test_weakest_sections_failed_then_never_practised_then_by_mastery(record):
    record.show("ann", make_items(6, sections=3), at=at())  # 1 → 0, 3   2 → 1, 4   3 → 2, 5
    record.record_attempt("ann", "short-0000", "틀림", False, at=at())
    record.record_attempt("ann", "short-0001", "정답1", True, at=at())
    p = record.progress("ann", at=at(minutes=1), sections=["3. 섹션 3", "2. 섹션 2", "1. 섹션 1"])
    assert p.weakest(3) == ["1. 섹션 1", "3. 섹션 3", "2. 섹션 2"]
    assert p.weakest(1) == ["1. 섹션 1"]


def test_wrong_notes_keep_the_latest_wrong_answers_and_export(record, tmp_path):
    record.show("ann", make_items(4), at=at())
    record.record_attempt("ann", "short-0000", "첫 오답", False, at=at())
    record.record_attempt("ann", "short-0000", "둘째 오답", False, at=at(minutes=2))
    record.record_attempt("ann", "short-0001", "틀림", False, at=at(minutes=3))
    record.record_attempt("ann", "short-0001", "정답1", True, at=at(minutes=20))
    record.record_attempt("ann", "short-0002", "정답2", True, at=at(minutes=4))
    record.record_attempt("ann", "short-0002", "헷갈림", False, at=at(minutes=30))

    notes = record.wrong("ann", at=at(days=1))
    assert [e.item.id for e in notes.items] == ["short-0002", "short-0000"]  # most recent first
    e2, e0 = notes.items
    assert (e0.last_answer, e0.wrong_count, e0.attempts) == ("둘째 오답", 2, 2)
    assert (e2.last_answer, e2.wrong_count, e2.attempts) == ("헷갈림", 1, 2)
    assert e0.item.explanation == "설명 0" and e0.item.answer == "정답0"
    d = notes.to_dict()
    assert list(d["items"][0]) == ["id", "question", "answer", "last_answer", "wrong_count", "source"]
    assert d["items"][1]["source"] == {"source": "notes.md", "heading": "제목 0", "lines": [1, 1]}
    assert notes.to_dict(detail=True)["items"][1]["explanation"] == "설명 0"
    # before the right answer, item 1 was still in the notes
    assert "short-0001" in [e.item.id for e in record.wrong("ann", at=at(minutes=10)).items]

    path = export_wrong_csv(notes, tmp_path / "wrong.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == CSV_HEADER and len(rows) == 3
    row = dict(zip(rows[0], rows[2]))
    assert (row["id"], row["last_answer"], row["wrong_count"], row["answer"]) == ("short-0000", "둘째 오답", "2", "정답0")

    apkg = export_wrong_anki(notes, tmp_path / "wrong.apkg")
    with zipfile.ZipFile(apkg) as z:
        name = next(n for n in z.namelist() if n.startswith("collection.anki2"))
        z.extract(name, tmp_path / "x")
    con = sqlite3.connect(tmp_path / "x" / name)
    try:
        flds = [r[0] for r in con.execute("select flds from notes")]
    finally:
        con.close()
    assert len(flds) == 2 and any("둘째 오답" in f for f in flds) and any("헷갈림" in f for f in flds)


def test_progress_sections_totals_streak_and_calendars(record_url):
    rec = LearningRecord.open(record_url, tz=timezone.utc, fuzz=False, default_exam_date=date(2025, 3, 20))
    try:
        rec.show("ann", make_items(4, sections=2), at=at(days=-2))  # 1 → 0, 2   2 → 1, 3
        results = [
            rec.record_attempt("ann", "short-0000", "정답0", True, at=at(days=-2)),
            rec.record_attempt("ann", "short-0001", "틀림", False, at=at(days=-1)),
            rec.record_attempt("ann", "short-0000", "정답0", True, at=at()),
            rec.record_attempt("ann", "short-0002", "정답2", True, at=at(minutes=1)),
        ]
        p = rec.progress("ann", at=at(minutes=5), sections=["2. 섹션 2", "9. 아직 안 본 섹션"])
        assert (p.attempts, p.correct, p.streak_days) == (4, 3, 3)
        by = {s.section: s for s in p.sections}
        assert [s.section for s in p.sections] == ["2. 섹션 2", "9. 아직 안 본 섹션", "1. 섹션 1"]
        s1, s2, s9 = by["1. 섹션 1"], by["2. 섹션 2"], by["9. 아직 안 본 섹션"]
        assert (s1.seen, s1.attempts, s1.accuracy, s1.cards) == (2, 3, 1.0, 2)
        assert (s2.seen, s2.attempts, s2.accuracy, s2.cards) == (1, 1, 0.0, 2)
        assert (s9.seen, s9.attempts, s9.accuracy, s9.mastery, s9.due) == (0, 0, None, 0.0, 0)
        # due now: the card answered wrong yesterday (relearning step 1 minute) is due
        last_due = {"short-0000": results[2].due, "short-0001": results[1].due, "short-0002": results[3].due}
        expect_due = sum(d <= at(minutes=5) for d in last_due.values())
        assert p.due_now == expect_due == s2.due + s1.due >= 1
        # calendars: 14 days each, ending today / starting today
        assert [c.day for c in p.attempts_per_day][-1] == date(2025, 3, 3) and len(p.attempts_per_day) == 14
        assert [c.count for c in p.attempts_per_day][-3:] == [1, 1, 2] and sum(c.count for c in p.attempts_per_day) == 4
        assert p.due_per_day[0].day == date(2025, 3, 3) and len(p.due_per_day) == 14
        for c in p.due_per_day:
            k = (c.day - date(2025, 3, 3)).days
            assert c.count == sum(1 for d in last_due.values() if max(0, (d.date() - date(2025, 3, 3)).days) == k)
        # exam on 2025-03-20: retention predicted per section, below today's mastery
        assert p.exam is not None and p.exam.date == date(2025, 3, 20)
        pred = dict(p.exam.predicted_retention)
        assert set(pred) == {"1. 섹션 1", "2. 섹션 2", "9. 아직 안 본 섹션"} and pred["9. 아직 안 본 섹션"] == 0.0
        # the horizon is the exam date: the forecast is the mastery, honestly counted — section 2
        # had one wrong answer and one item never answered: 0
        assert p.horizon == date(2025, 3, 20)
        assert pred["1. 섹션 1"] == s1.mastery and 0 < s1.mastery < 1 and pred["2. 섹션 2"] == s2.mastery == 0.0
        d = p.to_dict()
        assert list(d) == ["user", "attempts", "correct", "streak_days", "due_now", "sections", "exam", "horizon"]
        assert d["horizon"] == "2025-03-20"
        assert list(d["sections"][0]) == ["section", "seen", "attempts", "accuracy", "mastery", "due"]
        assert list(d["exam"]) == ["date", "predicted_retention"] and d["exam"]["date"] == "2025-03-20"
        assert set(p.to_dict(detail=True)) >= {"attempts_per_day", "due_per_day"}
        # streak: yesterday still counts until today is over; a missed day breaks it
        assert rec.progress("ann", at=at(days=1)).streak_days == 3
        assert rec.progress("ann", at=at(days=2)).streak_days == 0
        # history up to `at` only
        assert rec.progress("ann", at=at(days=-1, minutes=5)).attempts == 2
    finally:
        rec.close()


def test_no_exam_date_means_no_forecast(record):
    record.show("ann", make_items(1), at=at())
    assert record.progress("ann", at=at()).exam is None
    assert record.progress("ann", at=at()).to_dict()["exam"] is None


def test_changed_or_vanished_notes_make_items_stale(record):
    ctxs = make_items(3)
    record.show("ann", ctxs, at=at())
    for k in range(3):
        record.record_attempt("ann", f"short-{k:04d}", "틀림", False, at=at())
    notes = {("notes.md", (1, 1)): "원문 0 (고쳐 씀)", ("notes.md", (3, 3)): "원문 2"}  # line 2 is gone
    report = record.mark_stale(lambda src, lines: notes.get((src, lines)), at=at(minutes=1))
    assert (report.checked, sorted(report.newly_stale), report.stale_total) == (3, ["short-0000", "short-0001"], 2)
    assert record.mark_stale(lambda src, lines: notes.get((src, lines))).newly_stale == ()

    q = record.review("ann", n=10, at=at(days=30))
    assert _ids(q) == ["short-0002"]  # stale items are never scheduled again
    assert [e.item.id for e in record.wrong("ann", at=at(days=1)).items] == ["short-0002"]
    assert len(record.wrong("ann", at=at(days=1), include_stale=True).items) == 3
    p = record.progress("ann", at=at(days=1))
    assert p.attempts == 3  # history kept
    assert sum(s.stale for s in p.sections) == 2 and sum(s.seen for s in p.sections) == 3
    res = record.record_attempt("ann", "short-0000", "정답0", True, at=at(days=1))
    assert res.stale and res.due is None and res.to_dict()["due"] is None
    assert record.progress("ann", at=at(days=1)).attempts == 4

    # the notes' new text is shown again under the same item: it is live again
    from learning import ItemContext
    fresh = ItemContext.from_text(ctxs[0].item, ctxs[0].section, "원문 0 (고쳐 씀)")
    record.show("ann", [fresh], at=at(days=2))
    assert "short-0000" in _ids(record.review("ann", n=10, at=at(days=30)))
    assert record.mark_stale(hash_of=lambda src, lines: {(1, 1): fresh.source_hash,
                                                          (3, 3): ctxs[2].source_hash}.get(lines)).newly_stale == ()


def test_at_plans_what_is_due_on_exam_morning(record):
    record.show("ann", make_items(5), at=at())
    dues = [record.record_attempt("ann", f"short-{k:04d}", f"정답{k}", True, rating="easy", at=at()).due
            for k in range(5)]
    exam_morning = max(dues) + timedelta(hours=1)
    assert record.review("ann", n=10, at=at(minutes=1)).items == ()
    planned = record.review("ann", n=10, at=exam_morning)
    assert len(planned.items) == 5 and all(e.reason == "due" for e in planned.items)
    assert record.progress("ann", at=exam_morning).due_now == 5


def test_study_days_are_local_days(record_url):
    from datetime import datetime

    kst = timezone(timedelta(hours=9))
    with LearningRecord.open(record_url, tz=kst) as rec:
        rec.show("ann", make_items(2), at=at(days=-1))
        rec.record_attempt("ann", "short-0000", "정답0", True, at=datetime(2025, 3, 2, 14, 0, tzinfo=timezone.utc))
        rec.record_attempt("ann", "short-0001", "정답1", True, at=datetime(2025, 3, 2, 16, 0, tzinfo=timezone.utc))
        p = rec.progress("ann", at=datetime(2025, 3, 3, 12, 0, tzinfo=kst))
        assert [(c.day.isoformat(), c.count) for c in p.attempts_per_day[-2:]] == [("2025-03-02", 1), ("2025-03-03", 1)]
        assert p.streak_days == 2 and p.at.utcoffset() == timedelta(hours=9)
    with LearningRecord.open(record_url, tz=timezone.utc) as rec:  # the same answers, UTC days
        p = rec.progress("ann", at=datetime(2025, 3, 3, 12, 0, tzinfo=timezone.utc))
        assert [c.count for c in p.attempts_per_day[-2:]] == [2, 0] and p.streak_days == 1
