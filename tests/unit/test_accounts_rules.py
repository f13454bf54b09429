"""Pure rules of accounts: Argon2id hashing (never the password in the hash, a wrong password
fails, old parameters are re-hashed), the lockout (5 failures in 10 minutes → 10 minutes), and a
class roster read all or nothing with the bad line's number."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from learning import InvalidInput, parse_roster
from learning.lockout import failures_left, lock_end, locked_until
from learning.passwords import check_password, hash_password, needs_rehash, verify_password

T = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)


def m(minutes: float) -> datetime:
    return T + timedelta(minutes=minutes)


def test_hashes_are_argon2id_salted_and_verify_only_the_right_password():
    h1, h2 = hash_password("비밀번호-한글-123"), hash_password("비밀번호-한글-123")
    assert h1.startswith("$argon2id$v=19$m=19456,t=2,p=1$") and h1 != h2  # a new salt each time
    assert "비밀번호" not in h1 and "한글" not in h1
    assert verify_password(h1, "비밀번호-한글-123") and verify_password(h2, "비밀번호-한글-123")
    assert not verify_password(h1, "비밀번호-한글-124") and not verify_password("not a hash", "x")
    assert not needs_rehash(h1)
    from argon2 import PasswordHasher

    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("old-password")
    assert verify_password(old, "old-password") and needs_rehash(old)


@pytest.mark.parametrize("bad, why", [("", "비어"), ("   ", "비어"), ("short7!", "8자 이상"),
                                      ("x" * 1025, "이하"), ("tab\there12", "제어 문자")])
def test_password_rules_say_why_and_never_repeat_the_password(bad, why):
    with pytest.raises(InvalidInput) as e:
        check_password(bad)
    assert why in str(e.value) and (len(bad.strip()) < 3 or bad not in str(e.value))


def test_five_failures_within_ten_minutes_lock_for_ten_minutes():
    four = [m(0), m(2), m(4), m(6)]
    assert locked_until(four, m(6)) is None and failures_left(four, m(6)) == 1
    five = four + [m(9)]
    assert locked_until(five, m(9)) == m(19) and failures_left(five, m(9)) == 0
    assert locked_until(five, m(18.9)) == m(19) and locked_until(five, m(19)) is None
    # after the lock the count starts again: one more failure does not lock
    assert locked_until(five + [m(19.5)], m(19.5)) is None and failures_left(five + [m(19.5)], m(20)) == 4


def test_failures_spread_over_more_than_ten_minutes_never_lock():
    spread = [m(0), m(3), m(6), m(9), m(10.5)]  # the first is more than 10 minutes before the fifth
    assert lock_end(spread) is None and failures_left(spread, m(10.5)) == 1
    assert lock_end(spread + [m(11)]) == m(21)


def test_failures_during_a_lock_do_not_extend_it():
    five = [m(k) for k in range(5)]
    assert lock_end(five + [m(5), m(6), m(7), m(8), m(9)]) == m(14)


def test_a_roster_is_read_whole_with_roles_header_comments_and_a_bom():
    rows = parse_roster("\ufeffname,password,role\n# 3반\nkim.minji,first-pw-01,teacher\n\n"
                        "이서연,second-pw-02\npark,third-pw-03,학습자\n\"choi\",\"p,w with comma\"\n")
    assert [(r.line, r.name, r.role) for r in rows] == [
        (3, "kim.minji", "teacher"), (5, "이서연", "learner"), (6, "park", "learner"), (7, "choi", "learner")]
    assert rows[3].password == "p,w with comma" and "comma" not in repr(rows[3])


@pytest.mark.parametrize("text, line, why", [
    ("ann,good-pw-01\nbob,short\n", 2, "8자 이상"),
    ("ann,good-pw-01\nbad name,good-pw-02\n", 2, "사용자 이름"),
    ("ann,good-pw-01\nbob,good-pw-02,admin\n", 2, "역할"),
    ("ann,good-pw-01\nbob\n", 2, "name,password"),
    ("name,password\nann,good-pw-01\ncho,good-pw-03\nann,good-pw-02\n", 4, "2번째 줄"),
])
def test_a_bad_roster_line_is_named_by_its_number(text, line, why):
    with pytest.raises(InvalidInput) as e:
        parse_roster(text)
    msg = str(e.value)
    assert msg.startswith(f"줄 {line}:") and why in msg and "good-pw" not in msg


def test_an_empty_roster_is_refused():
    with pytest.raises(InvalidInput, match="사용자가 없습니다"):
        parse_roster("name,password,role\n# nobody yet\n")
