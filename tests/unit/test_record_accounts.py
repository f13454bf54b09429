"""Accounts and the class view in the learning record (SQLite here; PostgreSQL again in
tests/integration/test_record_on_postgresql.py): hashes in the table and the password nowhere,
a roster imported all or nothing, the lockout shared by two record objects on one database,
removal keeping the record unless purged, learners × sections mastery, and a retired item out of
every learner's queue with its history kept."""
from __future__ import annotations

from datetime import timezone

import pytest
import sqlalchemy as sa

from learning import AccountExists, InvalidInput, LearningRecord, UnknownAccount, UnknownItem, parse_roster
from tests.support.records import at, make_items, record  # noqa: F401

PW = {"kim": "teacher-pw-01", "ann": "ann-secret-02", "bob": "bob-secret-03"}


def _all_text(url: str) -> str:
    """Every value of every table of the database, as one text."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            out = []
            for table in sa.inspect(conn).get_table_names():
                out += [repr(tuple(r)) for r in conn.execute(sa.text(f'SELECT * FROM "{table}"'))]
            return "\n".join(out)
    finally:
        engine.dispose()


def _class(rec) -> None:
    rec.add_account("kim", PW["kim"], "teacher", at=at())
    rec.import_accounts(parse_roster(f"name,password,role\nann,{PW['ann']}\nbob,{PW['bob']},learner\n"), at=at())


def test_accounts_keep_hashes_only_and_check_logins(record, record_url):
    _class(record)
    assert [(a.name, a.role) for a in record.accounts()] == [("ann", "learner"), ("bob", "learner"), ("kim", "teacher")]
    assert [a.name for a in record.accounts("teacher")] == ["kim"] and record.has_accounts()
    assert record.account_role("kim") == "teacher" and record.account_role("nobody") is None
    ok = record.login("ann", PW["ann"], at=at(minutes=1))
    assert ok.ok and ok.role == "learner" and ok.message == ""
    assert not record.login("ann", PW["bob"], at=at(minutes=2)).ok
    assert not record.login("nobody", PW["ann"], at=at(minutes=2)).ok
    text = _all_text(record_url)
    assert text.count("$argon2id$") == 3
    assert not any(pw in text for pw in PW.values())


def test_a_roster_with_a_taken_name_imports_nothing(record):
    _class(record)
    with pytest.raises(AccountExists, match="줄 3:.*bob"):
        record.import_accounts(parse_roster("name,password\ncho,cho-secret-04\nbob,other-pw-05\n"))
    assert [a.name for a in record.accounts()] == ["ann", "bob", "kim"]
    assert record.login("bob", PW["bob"]).ok  # bob's password did not change either
    with pytest.raises(AccountExists):
        record.add_account("ann", "another-pw-06")
    with pytest.raises(InvalidInput, match="8자 이상"):
        record.add_account("cho", "short")
    assert record.account_role("cho") is None


def test_the_lockout_is_shared_through_the_database(record, record_url):
    _class(record)
    other = LearningRecord.open(record_url, tz=timezone.utc)  # a second app instance
    try:
        for k in range(5):
            rec = record if k % 2 else other
            res = rec.login("ann", "wrong-password", at=at(minutes=k))
            assert not res.ok and res.locked == (k == 4)
        refused = record.login("ann", PW["ann"], at=at(minutes=5))
        assert not refused.ok and refused.locked and refused.locked_until == at(minutes=14)
        assert "로그인할 수 없습니다" in refused.message and "09:14" in refused.message
        assert not other.login("ann", PW["ann"], at=at(minutes=13)).ok
        assert other.login("ann", PW["ann"], at=at(minutes=14)).ok
        assert record.login("bob", PW["bob"], at=at(minutes=6)).ok  # another name is not locked
        # a success clears the count: four more failures do not lock
        for k in range(4):
            assert not record.login("ann", "wrong-password", at=at(minutes=15 + k)).locked
        assert record.login("ann", PW["ann"], at=at(minutes=20)).ok
    finally:
        other.close()


def test_passwd_and_remove_keep_or_purge_the_record(record):
    _class(record)
    items = make_items(2)
    record.show("ann", items, at=at())
    record.record_attempt("ann", items[0].item.id, "답", True, at=at(minutes=1))
    record.set_password("ann", "new-ann-pw-07")
    assert not record.login("ann", PW["ann"]).ok and record.login("ann", "new-ann-pw-07").ok
    with pytest.raises(UnknownAccount):
        record.set_password("cho", "whatever-pw-08")
    record.remove_account("ann")
    assert record.account_role("ann") is None and not record.login("ann", "new-ann-pw-07").ok
    assert record.progress("ann", at=at(days=1)).attempts == 1  # the record is kept
    record.add_account("ann", "back-again-09")
    record.remove_account("ann", purge=True)
    assert record.progress("ann", at=at(days=1)).attempts == 0
    with pytest.raises(UnknownAccount):
        record.remove_account("ann")


def test_class_progress_reads_every_learner_and_who_did_not_study(record):
    _class(record)
    items = make_items(4)
    for user in ("ann", "bob", "kim"):
        record.show(user, items, at=at())
    for c in items:  # ann answers all right, bob all wrong, kim (a teacher) does not count
        record.record_attempt("ann", c.item.id, c.item.answer, True, at=at(minutes=1))
        record.record_attempt("kim", c.item.id, c.item.answer, True, at=at(minutes=1))
    record.record_attempt("bob", items[0].item.id, "몰라", False, at=at(minutes=1))
    cp = record.class_progress(at=at(days=2), sections=["2. 섹션 2", "1. 섹션 1"])
    assert cp.sections == ("2. 섹션 2", "1. 섹션 1") and [s.user for s in cp.learners] == ["ann", "bob"]
    ann, bob = cp.learners
    assert all(x > 0.5 for x in ann.mastery) and bob.mastery == (0.0, 0.0)
    assert (ann.attempts_7d, bob.attempts_7d, bob.attempts) == (4, 1, 1) and cp.inactive == ()
    later = record.class_progress(at=at(days=9))
    assert later.inactive == ("ann", "bob") and later.to_dict()["attempts_7d"] == 0


def test_a_retired_item_leaves_every_queue_and_keeps_its_history(record):
    _class(record)
    items = make_items(3)
    for user in ("ann", "bob"):
        record.show(user, items, at=at())
        record.record_attempt(user, items[0].item.id, "몰라", False, at=at(minutes=1))
    gone = items[0].item.id
    assert gone in [e.item.id for e in record.review("ann", n=10, at=at(days=3)).items]
    assert record.retire_item(gone, by="kim", at=at(minutes=5)) is True
    assert record.retire_item(gone, by="kim") is False and record.retired_ids() == {gone}
    for user in ("ann", "bob"):
        assert gone not in [e.item.id for e in record.review(user, n=10, at=at(days=3)).items]
        assert gone not in [e.item.id for e in record.wrong(user, at=at(days=3)).items]
        assert record.progress(user, at=at(days=3)).attempts == 1  # history kept
    record.show("cho", items, at=at(minutes=6))  # shown again from the notes: no card for it
    assert sorted(e.item.id for e in record.review("cho", n=10, at=at(days=3)).items) == [i.item.id for i in items[1:]]
    graded = record.record_attempt("bob", gone, "답", True, at=at(minutes=7))
    assert graded.due is None  # an answer to it is kept, never scheduled
    assert record.retire_item(gone, retired=False) is True
    assert gone in [e.item.id for e in record.review("ann", n=10, at=at(days=3)).items]
    with pytest.raises(UnknownItem):
        record.retire_item("short-9999")
