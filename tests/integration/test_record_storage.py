"""Storage of the learning record: migrations keep data, a broken SQLite file is moved aside,
a database that cannot be reached is one clear error with nothing written."""
from __future__ import annotations

import hashlib
import re
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from learning import DatabaseUnavailable, LearningRecord, default_url
from learning import migrate
from learning.db import open_database
from tests.support.records import at, make_items  # noqa: F401

KOREAN_FIRST = re.compile(r"^[\uac00-\ud7a3]")
T = datetime(2025, 3, 1, 8, 0)  # naive UTC, as revision 0001 stored times

ITEMS_0001 = sa.table("learning_items", *[sa.column(c) for c in (
    "id", "kind", "question", "answer", "explanation", "source", "heading", "line_start", "line_end",
    "section", "source_hash", "stale")], sa.column("options", sa.JSON), sa.column("created_at", sa.DateTime))
CARDS_0001 = sa.table("learning_cards", *[sa.column(c) for c in (
    "id", "user_id", "item_id", "state", "step", "stability", "difficulty", "reps", "lapses")],
    *[sa.column(c, sa.DateTime) for c in ("due", "last_review", "shown_at")])
ATTEMPTS_0001 = sa.table("learning_attempts", *[sa.column(c) for c in (
    "id", "user_id", "item_id", "given", "correct", "rating", "seconds")], sa.column("at", sa.DateTime))


def _dump(engine) -> dict[str, list[tuple]]:
    """Every row of the first revision's tables, in the first revision's columns."""
    with engine.connect() as conn:
        out = {}
        for table in (ITEMS_0001, CARDS_0001, ATTEMPTS_0001):
            cols = ", ".join(c.name for c in table.columns)
            out[table.name] = [tuple(r) for r in conn.execute(sa.text(f"SELECT {cols} FROM {table.name} ORDER BY id"))]
        return out


def test_upgrade_from_the_first_revision_loses_no_rows(record_url):
    assert migrate.revisions()[0] == "0001" and len(migrate.revisions()) >= 2
    assert migrate.HEAD == migrate.head_revision() == migrate.revisions()[-1]  # the fast-path constant
    db = open_database(record_url)
    try:
        assert migrate.upgrade(db.engine, "0001") == "0001"
        with db.engine.begin() as conn:
            for k in range(3):
                conn.execute(ITEMS_0001.insert().values(
                    id=f"short-{k}", kind="short", question=f"문제 {k}", answer=f"정답{k}", explanation="설명",
                    source="a.md", heading="제목", line_start=k + 1, line_end=k + 1, section="1. 섹션",
                    source_hash="h" * 64, stale=False, options=[], created_at=T))
            for user in ("ann", "bob"):
                conn.execute(CARDS_0001.insert().values(
                    user_id=user, item_id="short-0", state=2, step=None, stability=3.2, difficulty=5.0,
                    reps=2, lapses=1, due=datetime(2025, 3, 4, 8, 0), last_review=T, shown_at=T))
            for aid in range(1, 6):
                conn.execute(ATTEMPTS_0001.insert().values(
                    user_id="ann" if aid < 5 else "bob", item_id="short-0", given=f"답 {aid}",
                    correct=aid % 2 == 0, rating=3 if aid % 2 == 0 else 1, seconds=float(aid), at=T))
        before = _dump(db.engine)
        with db.engine.connect() as conn:
            assert migrate.current_revision(conn) == "0001"
            assert "learning_user_settings" not in sa.inspect(conn).get_table_names()
    finally:
        db.dispose()
    assert [len(v) for v in before.values()] == [3, 2, 5]

    with LearningRecord.open(record_url, tz=timezone.utc) as rec:  # upgrades to head
        db = open_database(record_url)
        try:
            assert _dump(db.engine) == before
            with db.engine.connect() as conn:
                assert migrate.current_revision(conn) == migrate.head_revision()
                names = {ix["name"] for ix in sa.inspect(conn).get_indexes("learning_attempts")}
            assert "ix_learning_attempts_user_item_at" in names and "ix_learning_attempts_user_item" not in names
            with db.engine.connect() as conn:  # revision 0003: the page column, empty for old items
                assert conn.execute(sa.text("SELECT count(*) FROM learning_items WHERE page IS NULL")).scalar() == 3
        finally:
            db.dispose()
        assert rec.item("ann", "short-0").answer == "정답0"
        p = rec.progress("ann", at=datetime(2025, 3, 5, tzinfo=timezone.utc))
        assert (p.attempts, p.correct, p.due_now) == (4, 2, 1)
        assert rec.wrong("bob", at=datetime(2025, 3, 5, tzinfo=timezone.utc)).items[0].last_answer == "답 5"
        at_ = datetime(2025, 3, 5, tzinfo=timezone.utc)
        rec.set_exam_date("ann", datetime(2025, 4, 1).date(), at=at_)  # the table revision 0002 added
        assert str(rec.exam_date("ann")) == "2025-04-01"
        nxt = rec.record_attempt("ann", "short-0", "정답0", True, at=datetime(2025, 3, 5, tzinfo=timezone.utc))
        assert nxt.attempt_id == 6  # ids continue after the old rows


SETTINGS_0003 = sa.table("learning_user_settings", sa.column("user_id"), sa.column("exam_date", sa.Date),
                         sa.column("updated_at", sa.DateTime))


def test_upgrade_from_0003_keeps_rows_and_settings_for_plans_exams_and_fitted_parameters(record_url):
    """Revisions 0004 (learner settings) and 0005 (모의고사 tables) on a record that has rows."""
    from datetime import date

    from learning.batch import GradedAnswer

    db = open_database(record_url)
    try:
        assert migrate.upgrade(db.engine, "0003") == "0003"
        with db.engine.begin() as conn:
            conn.execute(ITEMS_0001.insert().values(
                id="short-0", kind="short", question="문제", answer="정답", explanation="설명", source="a.md",
                heading="제목", line_start=1, line_end=1, section="1. 섹션", source_hash="h" * 64, stale=False,
                options=[], created_at=T))
            conn.execute(CARDS_0001.insert().values(
                user_id="ann", item_id="short-0", state=2, step=None, stability=3.2, difficulty=5.0, reps=1,
                lapses=0, due=datetime(2025, 3, 4, 8, 0), last_review=T, shown_at=T))
            conn.execute(ATTEMPTS_0001.insert().values(user_id="ann", item_id="short-0", given="정답", correct=True,
                                                       rating=3, seconds=4.0, at=T))
            conn.execute(SETTINGS_0003.insert().values(user_id="ann", exam_date=date(2025, 4, 1), updated_at=T))
        before = _dump(db.engine)
    finally:
        db.dispose()
    with LearningRecord.open(record_url, tz=timezone.utc, fuzz=False) as rec:
        db = open_database(record_url)
        try:
            assert _dump(db.engine) == before
            with db.engine.connect() as conn:
                assert migrate.current_revision(conn) == migrate.HEAD
                names = set(sa.inspect(conn).get_table_names())
                row = conn.execute(sa.text("SELECT exam_date, per_day, target, desired_retention, fsrs_parameters "
                                           "FROM learning_user_settings")).one()
            assert {"learning_exams", "learning_exam_items"} <= names
            assert str(row[0]) == "2025-04-01" and tuple(row[1:]) == (None, None, None, None)
        finally:
            db.dispose()
        s = rec.set_study_settings("ann", per_day=15, at=datetime(2025, 3, 5, tzinfo=timezone.utc))
        assert s.exam_date == date(2025, 4, 1) and s.per_day == 15  # the old exam date survives
        plan = rec.plan("ann", at=datetime(2025, 3, 5, tzinfo=timezone.utc))
        assert plan.exam == date(2025, 4, 1) and plan.per_day == 15
        sheet = rec.start_exam("ann", make_items(2), at=datetime(2025, 3, 5, tzinfo=timezone.utc))
        res = rec.submit_exam("ann", sheet.exam_id, [GradedAnswer("short-0000", "정답0", True)],
                              at=datetime(2025, 3, 5, 0, 2, tzinfo=timezone.utc))
        assert (res.correct, res.total) == (1, 2)
        assert rec.progress("ann", at=datetime(2025, 3, 6, tzinfo=timezone.utc)).attempts == 3


def test_upgrade_from_0005_adds_accounts_and_retired_items_keeping_every_row(record_url):
    """Revisions 0006 (accounts, login failures) and 0007 (retired items) on a filled record:
    every row of every older table is kept, every item starts live, the class works."""
    db = open_database(record_url)
    try:
        assert migrate.upgrade(db.engine, "0005") == "0005"
    finally:
        db.dispose()
    _fill_at_0005(record_url)
    db = open_database(record_url)
    try:
        before = _dump(db.engine)
        with db.engine.connect() as conn:
            assert migrate.current_revision(conn) == "0005"
            exams = conn.execute(sa.text("SELECT count(*) FROM learning_exams")).scalar()
    finally:
        db.dispose()
    assert [len(v) for v in before.values()] == [4, 4, 5] and exams == 1
    with LearningRecord.open(record_url, tz=timezone.utc, fuzz=False) as rec:  # upgrades to head
        db = open_database(record_url)
        try:
            assert _dump(db.engine) == before
            with db.engine.connect() as conn:
                assert migrate.current_revision(conn) == migrate.HEAD == "0007"
                assert conn.execute(sa.text("SELECT count(*) FROM learning_exams")).scalar() == 1
                retired = conn.execute(sa.text("SELECT count(*) FROM learning_items WHERE retired")).scalar()
            assert retired == 0
        finally:
            db.dispose()
        assert not rec.has_accounts()
        rec.add_account("kim", "teacher-pw-01", "teacher", at=at(days=10))
        assert rec.login("kim", "teacher-pw-01", at=at(days=10)).ok
        assert rec.progress("ann", at=at(days=10)).attempts == 3
        assert rec.retire_item("short-0001", by="kim", at=at(days=10))
        assert "short-0001" not in [e.item.id for e in rec.review("ann", n=50, at=at(days=60)).items]
        assert rec.progress("ann", at=at(days=10)).attempts == 3  # history kept


def _fill_at_0005(url: str) -> None:
    """Two learners' items, cards, answers and a 모의고사, in revision 0005's columns."""
    db = open_database(url)
    try:
        with db.engine.begin() as conn:
            for k, ctx in enumerate(make_items(4)):
                it = ctx.item
                conn.execute(ITEMS_0001.insert().values(
                    id=it.id, kind=it.kind, question=it.question, answer=it.answer, explanation=it.explanation,
                    source=it.source.source, heading=it.source.heading, line_start=k + 1, line_end=k + 1,
                    section=ctx.section, source_hash="h" * 64, stale=False, options=[], created_at=T))
                user = "ann" if k < 3 else "bob"
                conn.execute(CARDS_0001.insert().values(
                    user_id=user, item_id=it.id, state=2, step=None, stability=3.2, difficulty=5.0, reps=1,
                    lapses=0, due=datetime(2025, 3, 4, 8, 0), last_review=T, shown_at=T))
                conn.execute(ATTEMPTS_0001.insert().values(user_id=user, item_id=it.id, given="답",
                                                           correct=k % 2 == 0, rating=3 if k % 2 == 0 else 1,
                                                           seconds=4.0, at=T))
            conn.execute(ATTEMPTS_0001.insert().values(user_id="bob", item_id="short-0003", given="정답3",
                                                       correct=True, rating=3, seconds=2.0, at=T))
            conn.execute(sa.text("INSERT INTO learning_exams (id, user_id, created_at, minutes, total) "
                                 "VALUES ('e1', 'ann', :t, 10, 2)"), {"t": T})
    finally:
        db.dispose()


def _fresh_record_works(url: str) -> None:
    with LearningRecord.open(url, tz=timezone.utc) as rec:
        assert rec.progress("ann", at=at()).attempts == 0
        rec.show("ann", make_items(1), at=at())
        rec.record_attempt("ann", "short-0000", "정답0", True, at=at())
    with LearningRecord.open(url, tz=timezone.utc) as rec:
        assert rec.notice is None and rec.progress("ann", at=at(days=1)).attempts == 1


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_file_that_is_not_a_database_is_moved_aside(tmp_path):
    db = tmp_path / "data" / "study.db"
    db.parent.mkdir()
    db.write_bytes("이건 데이터베이스가 아닙니다\n".encode() * 200)
    digest = _sha(db)
    rec = LearningRecord.open(default_url(tmp_path / "data"), tz=timezone.utc)
    try:
        assert rec.notice and "\n" not in rec.notice and KOREAN_FIRST.match(rec.notice)
        assert rec.moved_to is not None and rec.moved_to.parent == db.parent and str(rec.moved_to) in rec.notice
        assert _sha(rec.moved_to) == digest  # moved, never deleted or changed
    finally:
        rec.close()
    _fresh_record_works(default_url(tmp_path / "data"))
    assert [p.name for p in db.parent.iterdir() if ".corrupt-" in p.name] == [rec.moved_to.name]


def test_a_damaged_database_is_moved_aside_with_its_pages_intact(tmp_path):
    url = default_url(tmp_path / "data")
    with LearningRecord.open(url, tz=timezone.utc) as rec:
        rec.show("ann", make_items(300), at=at())
        for k in range(0, 300, 3):
            rec.record_attempt("ann", f"short-{k:04d}", "틀림", False, at=at())
    path = tmp_path / "data" / "study.db"
    assert not (tmp_path / "data" / "study.db-wal").exists() or (tmp_path / "data" / "study.db-wal").stat().st_size == 0
    raw = bytearray(path.read_bytes())
    page = int.from_bytes(raw[16:18], "big")
    assert len(raw) >= 8 * page
    raw[3 * page: 6 * page] = b"\xde\xad\xbe\xef" * (3 * page // 4)  # three b-tree pages overwritten
    path.write_bytes(bytes(raw))
    digest = _sha(path)
    with pytest.raises(sqlite3.DatabaseError):  # the damage is real: SQLite itself refuses it
        con = sqlite3.connect(path)
        try:
            bad = con.execute("PRAGMA quick_check").fetchall()
            if bad == [("ok",)]:
                con.execute("SELECT count(*) FROM learning_items").fetchall()
            raise sqlite3.DatabaseError(f"damaged: {bad[:1]}")
        finally:
            con.close()
    with LearningRecord.open(url, tz=timezone.utc) as rec:
        assert rec.notice and rec.moved_to and _sha(rec.moved_to) == digest
        assert rec.progress("ann", at=at()).attempts == 0
    _fresh_record_works(url)


def _assert_one_line(exc: BaseException) -> str:
    msg = str(exc)
    assert "\n" not in msg and KOREAN_FIRST.match(msg) and "Traceback" not in msg and len(msg) < 400, msg
    return msg


def test_unreachable_postgresql_is_one_clear_error(tmp_path, postgres_cluster):
    nowhere = tmp_path / "no-server-here"
    cases = [
        f"postgresql+psycopg://student:s3cret-pw@/study?host={nowhere}",  # no server on this socket
        postgres_cluster.url("no_such_database"),  # the server is up; the database is not
    ]
    for url in cases:
        with pytest.raises(DatabaseUnavailable) as info:
            LearningRecord.open(url)
        msg = _assert_one_line(info.value)
        assert "s3cret-pw" not in msg
    assert not nowhere.exists()  # nothing written


@pytest.mark.parametrize("url", [
    "this is not a url",
    "nosuchdb+nodriver://host/db",
    "postgresql+nosuchdriver://u@/db",
])
def test_malformed_url_or_missing_driver_is_one_clear_error(url):
    with pytest.raises(DatabaseUnavailable) as info:
        LearningRecord.open(url)
    _assert_one_line(info.value)


def test_sqlite_path_that_cannot_be_created_writes_nothing(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(DatabaseUnavailable) as info:
        LearningRecord.open(default_url(blocker / "data"))
    _assert_one_line(info.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == before and blocker.read_text() == "x"


def test_sqlite_pragmas_wal_busy_timeout_foreign_keys(tmp_path):
    db = open_database(default_url(tmp_path))
    try:
        with db.engine.connect() as conn:
            got = {p: conn.exec_driver_sql(f"PRAGMA {p}").scalar() for p in
                   ("journal_mode", "busy_timeout", "foreign_keys", "synchronous")}
    finally:
        db.dispose()
    assert got == {"journal_mode": "wal", "busy_timeout": 30000, "foreign_keys": 1, "synchronous": 2}


def test_opening_while_another_process_creates_the_file_waits_for_it(tmp_path, monkeypatch):
    """The race two processes hit when both create a fresh record: one holds the write lock of a
    rollback-journal file and SQLite refuses the other's switch to WAL at once (no busy handler).
    The open must wait that out, not fail with "database is locked"."""
    path = tmp_path / "study.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t(x)")
    holder.execute("BEGIN IMMEDIATE")  # the other process's first write, still open
    holder.execute("INSERT INTO t VALUES (1)")
    waits = []

    def other_process_commits(seconds: float) -> None:  # the first back-off: the other side finishes
        waits.append(seconds)
        if holder.in_transaction:
            holder.execute("COMMIT")

    monkeypatch.setattr("learning.db._pause", other_process_commits)
    db = open_database(default_url(tmp_path))
    try:
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("SELECT x FROM t").scalars().all() == [1]
    finally:
        db.dispose()
        holder.close()
    assert waits, "the lock was never met: the test did not exercise the race"


def test_a_lock_that_never_clears_is_one_clear_error(tmp_path, monkeypatch):
    path = tmp_path / "study.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t(x)")
    holder.execute("BEGIN IMMEDIATE")
    clock = iter(range(0, 10_000, 10))  # each look at the clock is 10 s later: the wait runs out
    monkeypatch.setattr("learning.db._pause", lambda _s: None)
    monkeypatch.setattr("learning.db._clock", lambda: next(clock))
    try:
        with pytest.raises(DatabaseUnavailable) as info:
            open_database(default_url(tmp_path))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    _assert_one_line(info.value)
    assert "database is locked" in str(info.value)


def test_a_schema_newer_than_this_program_is_refused_untouched(record_url):
    with LearningRecord.open(record_url, tz=timezone.utc) as rec:
        rec.show("ann", make_items(2), at=at())
    db = open_database(record_url)
    try:
        with db.engine.begin() as conn:
            conn.execute(sa.text(f"UPDATE {migrate.VERSION_TABLE} SET version_num = '9999'"))
        before = _dump(db.engine)
    finally:
        db.dispose()
    with pytest.raises(DatabaseUnavailable) as info:
        LearningRecord.open(record_url)
    _assert_one_line(info.value)
    db = open_database(record_url)
    try:
        assert _dump(db.engine) == before
    finally:
        db.dispose()


def test_parse_at_and_exam_date():
    from datetime import date, timedelta

    from learning import InvalidInput, parse_at, parse_exam_date

    kst = timezone(timedelta(hours=9))
    assert parse_at("2025-06-14", kst) == datetime(2025, 6, 14, 0, 0, tzinfo=timezone.utc)  # 09:00 KST
    assert parse_at("2025-06-14T08:30", kst) == datetime(2025, 6, 13, 23, 30, tzinfo=timezone.utc)
    assert parse_at("2025-06-14T08:30Z", kst) == datetime(2025, 6, 14, 8, 30, tzinfo=timezone.utc)
    assert parse_at("2025-06-14T08:30+09:00") == datetime(2025, 6, 13, 23, 30, tzinfo=timezone.utc)
    assert parse_exam_date("2025-11-13") == date(2025, 11, 13) and parse_exam_date("  ") is None
    for bad in ("tomorrow", "2025-13-01", ""):
        with pytest.raises(InvalidInput) as info:
            parse_at(bad)
        _assert_one_line(info.value)
    with pytest.raises(InvalidInput):
        parse_exam_date("13/11/2025")
