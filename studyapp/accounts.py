"""Accounts and logins (mixed into `StudyApp`): who may log in and with which role.

Which logins apply: when the database holds accounts (`python -m tutor users …`), those —
with Argon2id hashes and roles; otherwise `STUDY_AUTH` / `STUDY_AUTH_FILE` (every login a
learner); otherwise none (the app acts for `STUDY_USER`). Either way a name that failed 5 times
within 10 minutes is refused for 10 minutes, counted in the database so that every app
instance on it agrees. Passwords are only passed through to be hashed or checked.
"""
from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Sequence

from learning import InvalidInput, check_role, parse_roster

from .record import NotesRecord
from .settings import Settings

if TYPE_CHECKING:  # the record's row types: imported with the record, not with the app
    from learning import Account, LoginResult

LEARNER, TEACHER = "learner", "teacher"


class NotTeacher(InvalidInput):
    """A teacher's verb asked for by someone who is not a teacher."""

    def __init__(self, user: str) -> None:
        super().__init__(f"교사만 쓸 수 있는 기능입니다 (teachers only): {str(user)[:64]}")
        self.user = user


class AccountVerbs:
    _record: NotesRecord
    settings: Settings

    # -- who logs in -------------------------------------------------------------------------
    def accounts_enabled(self) -> bool:
        """Whether the database holds accounts (then they are the logins, with roles)."""
        return self._record.record.has_accounts()

    def login_enabled(self) -> bool:
        """Whether the web app asks for a login: accounts in the database, or `STUDY_AUTH(_FILE)`."""
        return self.accounts_enabled() or bool(self.settings.auth_pairs())

    def login(self, name: str, password: str) -> LoginResult:
        """Check a login (accounts first, else `STUDY_AUTH`), under the shared lockout."""
        rec = self._record.record
        if rec.has_accounts():
            return rec.login(name, password)
        pairs = dict(self.settings.auth_pairs() or ())

        def check() -> str | None:
            expected = pairs.get(str(name).strip(), "")
            same = hmac.compare_digest(expected.encode("utf-8"), str(password).encode("utf-8"))
            return LEARNER if same and expected else None

        return rec.attempt_login(name, check)

    def role(self, user: str) -> str:
        """`teacher` or `learner`: an account's role; every other user is a learner."""
        return self._record.record.account_role(user) or LEARNER

    def is_teacher(self, user: str) -> bool:
        return self.role(user) == TEACHER

    def require_teacher(self, user: str) -> str:
        """`user` when they are a teacher, else `NotTeacher` (checked here, not only in the page)."""
        if not self.is_teacher(user):
            raise NotTeacher(user)
        return user

    def may_manage_notes(self, user: str) -> bool:
        """Uploads and re-index: anyone without accounts, only teachers with them."""
        return not self.accounts_enabled() or self.is_teacher(user)

    # -- the accounts (the `users` command) ----------------------------------------------------
    def users(self, role: str | None = None) -> tuple[Account, ...]:
        return self._record.record.accounts(role)

    def add_user(self, name: str, password: str, role: str = LEARNER) -> Account:
        return self._record.record.add_account(name, password, check_role(role))

    def set_password(self, name: str, password: str) -> None:
        self._record.record.set_password(name, password)

    def remove_user(self, name: str, purge: bool = False) -> None:
        """Remove a login; the learner's record is kept unless `purge`."""
        self._record.record.remove_account(name, purge)

    def import_users(self, roster: str | Sequence[str]) -> tuple[Account, ...]:
        """A class roster (CSV text, `name,password[,role]` a line), all or nothing: the first bad
        line or a name already taken is `InvalidInput` naming the line, and nothing is written."""
        text = roster if isinstance(roster, str) else "\n".join(roster)
        return self._record.record.import_accounts(parse_roster(text))
