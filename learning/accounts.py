"""Accounts in the database, inside the caller's transaction: rows ⇄ `Account`, adding,
re-hashing, removing (the learner's record with `purge` only), and the failed logins the
lockout counts. Passwords arrive here only to be hashed; results never carry them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import Connection, delete, func, select, update

from .errors import InvalidInput
from .lockout import KEEP, LOCK, MAX_FAILURES
from .models import ACCOUNTS, ATTEMPTS, CARDS, EXAM_ITEMS, EXAMS, LOGIN_FAILURES, USER_SETTINGS


class UnknownAccount(InvalidInput):
    """No account with this name."""

    def __init__(self, name: str) -> None:
        super().__init__(f"없는 사용자입니다 (no such account): {name[:64]}")
        self.name = name


class AccountExists(InvalidInput):
    """An account with this name already exists."""

    def __init__(self, name: str, line: int | None = None) -> None:
        where = f"줄 {line}: " if line is not None else ""
        super().__init__(f"{where}이미 있는 사용자입니다 (account exists): {name[:64]}")
        self.name = name


@dataclass(frozen=True)
class Account:
    name: str
    role: str  # learner | teacher
    created_at: datetime
    updated_at: datetime

    def to_dict(self) -> dict:
        return {"name": self.name, "role": self.role, "created_at": self.created_at.isoformat(timespec="seconds"),
                "updated_at": self.updated_at.isoformat(timespec="seconds")}


@dataclass(frozen=True)
class LoginResult:
    """A login's outcome: right (with the role), wrong (with how many tries are left before the
    lock), or refused because the name is locked (until when)."""

    name: str
    ok: bool
    role: str | None = None
    locked_until: datetime | None = None  # in the record's time zone
    left: int = MAX_FAILURES

    @property
    def locked(self) -> bool:
        return self.locked_until is not None

    @property
    def message(self) -> str:
        """One Korean line for the login page (empty when the login succeeded)."""
        if self.ok:
            return ""
        if self.locked_until is not None:
            minutes = int(LOCK.total_seconds() // 60)
            return (f"로그인에 {MAX_FAILURES}번 실패해 '{self.name[:64]}' 계정은 {self.locked_until:%H:%M}까지 "
                    f"로그인할 수 없습니다 ({minutes}분). 잠시 후 다시 시도하세요.")
        hint = f" {self.left}번 더 틀리면 10분 동안 로그인할 수 없습니다." if self.left <= 2 else ""
        return "이름 또는 비밀번호가 틀렸습니다." + hint


def row_to_account(row, tz: tzinfo) -> Account:
    return Account(row.name, row.role, row.created_at.astimezone(tz), row.updated_at.astimezone(tz))


def read_accounts(conn: Connection, tz: tzinfo, role: str | None = None) -> list[Account]:
    u = ACCOUNTS.c
    q = select(u.name, u.role, u.created_at, u.updated_at).order_by(u.name)
    if role is not None:
        q = q.where(u.role == role)
    return [row_to_account(r, tz) for r in conn.execute(q)]


def count_accounts(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(ACCOUNTS)).scalar_one())


def stored_hash(conn: Connection, name: str) -> tuple[str, str] | None:
    """(password hash, role) of `name`, or None."""
    row = conn.execute(select(ACCOUNTS.c.password_hash, ACCOUNTS.c.role).where(ACCOUNTS.c.name == name)).first()
    return None if row is None else (row.password_hash, row.role)


def insert_account(conn: Connection, name: str, role: str, password_hash: str, now: datetime,
                   line: int | None = None) -> None:
    if conn.execute(select(ACCOUNTS.c.name).where(ACCOUNTS.c.name == name)).first() is not None:
        raise AccountExists(name, line)
    conn.execute(ACCOUNTS.insert().values(name=name, role=role, password_hash=password_hash, created_at=now,
                                          updated_at=now))


def set_hash(conn: Connection, name: str, password_hash: str, now: datetime) -> None:
    res = conn.execute(update(ACCOUNTS).where(ACCOUNTS.c.name == name)
                       .values(password_hash=password_hash, updated_at=now))
    if res.rowcount == 0:
        raise UnknownAccount(name)


def delete_account(conn: Connection, name: str, purge: bool) -> None:
    """Remove the login; with `purge` also every answer, card, setting and 모의고사 of the name."""
    if conn.execute(delete(ACCOUNTS).where(ACCOUNTS.c.name == name)).rowcount == 0:
        raise UnknownAccount(name)
    conn.execute(delete(LOGIN_FAILURES).where(LOGIN_FAILURES.c.name == name))
    if purge:
        exams = select(EXAMS.c.id).where(EXAMS.c.user_id == name)
        conn.execute(delete(EXAM_ITEMS).where(EXAM_ITEMS.c.exam_id.in_(exams)))
        conn.execute(delete(EXAMS).where(EXAMS.c.user_id == name))
        for table in (ATTEMPTS, CARDS, USER_SETTINGS):
            conn.execute(delete(table).where(table.c.user_id == name))


def failure_times(conn: Connection, name: str, since: datetime) -> list[datetime]:
    f = LOGIN_FAILURES.c
    return [r[0] for r in conn.execute(select(f.at).where(f.name == name, f.at > since).order_by(f.at))]


def add_failure(conn: Connection, name: str, now: datetime) -> None:
    """Record one failed login (and drop the name's failures older than a day)."""
    f = LOGIN_FAILURES.c
    conn.execute(delete(LOGIN_FAILURES).where(f.name == name, f.at < now - KEEP))
    conn.execute(LOGIN_FAILURES.insert().values(name=name, at=now))


def clear_failures(conn: Connection, name: str) -> None:
    conn.execute(delete(LOGIN_FAILURES).where(LOGIN_FAILURES.c.name == name))
