"""`LearningRecord`'s accounts (a mixin): logins with a role, Argon2id hashes, a class roster
imported all or nothing, and logins checked against the lockout every instance shares.

Hashing and verifying (tens of milliseconds each) run outside any transaction; a roster's
hashes are made first, then one transaction inserts them all or — at the first name already
taken — none.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Callable, Sequence

from . import accounts as acc
from .errors import InvalidInput
from .lockout import LOCK, WINDOW, failures_left, locked_until
from .passwords import dummy_hash, hash_password, needs_rehash, verify_password
from .roster import RosterRow, check_name, check_role

if TYPE_CHECKING:
    from .record import LearningRecord

RoleCheck = Callable[[], "str | None"]  # the role when the password is right, else None


class AccountMethods:
    """Accounts and logins (mixed into `LearningRecord`)."""

    def has_accounts(self: "LearningRecord") -> bool:
        """Whether the database holds any account (then the web app's logins are these)."""
        with self._read() as conn:
            return acc.count_accounts(conn) > 0

    def accounts(self: "LearningRecord", role: str | None = None) -> tuple[acc.Account, ...]:
        """Every account (of `role`, when given), by name."""
        with self._read() as conn:
            return tuple(acc.read_accounts(conn, self.tz, check_role(role) if role is not None else None))

    def account_role(self: "LearningRecord", name: str) -> str | None:
        """`learner` / `teacher` for an account, None for a name without one."""
        if not isinstance(name, str) or not name.strip():
            return None
        with self._read() as conn:
            found = acc.stored_hash(conn, name.strip())
        return None if found is None else found[1]

    def add_account(self: "LearningRecord", name: str, password: str, role: str = "learner",
                    at: datetime | None = None) -> acc.Account:
        """A new account; `AccountExists` when the name is taken, `InvalidInput` for a bad name,
        role or password (the password is never in the message)."""
        name, role, now = check_name(name), check_role(role), self._now(at)
        hashed = hash_password(password)
        with self._write() as conn:
            acc.insert_account(conn, name, role, hashed, now)
        return acc.Account(name, role, now.astimezone(self.tz), now.astimezone(self.tz))

    def set_password(self: "LearningRecord", name: str, password: str, at: datetime | None = None) -> None:
        """A new password for an existing account (its failed logins are cleared)."""
        name, now = check_name(name), self._now(at)
        hashed = hash_password(password)
        with self._write() as conn:
            acc.set_hash(conn, name, hashed, now)
            acc.clear_failures(conn, name)

    def remove_account(self: "LearningRecord", name: str, purge: bool = False) -> None:
        """Remove the login; the learner's record stays unless `purge` (then it is deleted)."""
        name = check_name(name)
        with self._write() as conn:
            acc.delete_account(conn, name, bool(purge))

    def import_accounts(self: "LearningRecord", rows: Sequence[RosterRow],
                        at: datetime | None = None) -> tuple[acc.Account, ...]:
        """Every row of a checked roster (`roster.parse_roster`) as a new account, in one
        transaction: a name already taken is reported with its line and nothing is imported."""
        now = self._now(at)
        rows = list(rows)
        with self._read() as conn:  # before hashing: a taken name fails fast
            for row in rows:
                if acc.stored_hash(conn, row.name) is not None:
                    raise acc.AccountExists(row.name, row.line)
        with ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:
            hashes = list(pool.map(lambda r: hash_password(r.password), rows))  # argon2 frees the GIL
        with self._write() as conn:
            for row, hashed in zip(rows, hashes):
                acc.insert_account(conn, row.name, row.role, hashed, now, row.line)
        return tuple(acc.Account(r.name, r.role, now.astimezone(self.tz), now.astimezone(self.tz)) for r in rows)

    def login(self: "LearningRecord", name: str, password: str, at: datetime | None = None) -> acc.LoginResult:
        """Check a login against the accounts (and the lockout). A hash made with older
        parameters is re-hashed on success."""
        stored: list[tuple[str, str] | None] = []

        def check() -> str | None:
            with self._read() as conn:
                found = acc.stored_hash(conn, name.strip())
            stored.append(found)
            ok = verify_password(found[0] if found else dummy_hash(), password)
            return found[1] if ok and found is not None else None

        result = self.attempt_login(name, check, at)
        if result.ok and stored and stored[0] is not None and needs_rehash(stored[0][0]):
            with self._write() as conn:
                acc.set_hash(conn, result.name, hash_password(password), self._now(at))
        return result

    def attempt_login(self: "LearningRecord", name: str, check: RoleCheck, at: datetime | None = None
                      ) -> acc.LoginResult:
        """A login checked by `check()` under the lockout: refused without calling `check` while
        the name is locked; a failure is recorded (5 within 10 minutes lock it for 10), a
        success clears the name's failures."""
        now = self._now(at)
        try:
            name = check_name(name)
        except InvalidInput:
            return acc.LoginResult(str(name or "")[:64], False)
        since = now - WINDOW - LOCK
        with self._read() as conn:
            before = acc.failure_times(conn, name, since)
        until = locked_until(before, now)
        if until is not None:
            return acc.LoginResult(name, False, locked_until=until.astimezone(self.tz), left=0)
        role = check()
        with self._write() as conn:
            if role is not None:
                acc.clear_failures(conn, name)
                return acc.LoginResult(name, True, role)
            acc.add_failure(conn, name, now)
            after = acc.failure_times(conn, name, since)
        until = locked_until(after, now)
        return acc.LoginResult(name, False, locked_until=None if until is None else until.astimezone(self.tz),
                               left=failures_left(after, now))
