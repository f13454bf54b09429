"""Passwords: Argon2id hashes (argon2-cffi), the rules a new password must meet, and checking a
password against a stored hash. The password itself is never stored, returned, logged or put
in an error message — only the hash string, which carries its own salt and parameters.

Parameters: OWASP's Password Storage Cheat Sheet minimum for Argon2id (19 MiB, 2 passes, 1
lane) — about 25 ms a hash on one core here, so a class roster of 300 imports in seconds and a
login costs one hash. A hash made with other parameters still verifies (they are in the
string) and is re-hashed with these at the next successful login (`needs_rehash`).
"""
from __future__ import annotations

import functools
import unicodedata

from .errors import InvalidInput

TIME_COST = 2
MEMORY_KIB = 19 * 1024
PARALLELISM = 1
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 1024


@functools.lru_cache(maxsize=1)
def _hasher():
    from argon2 import PasswordHasher, Type  # imported on first use: no work at import time

    return PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_KIB, parallelism=PARALLELISM, type=Type.ID)


def check_password(password: object) -> str:
    """A password a new account may have: 8 to 1,024 characters, no control characters, not
    only spaces. `InvalidInput` says which rule failed and never repeats the password."""
    if not isinstance(password, str) or not password.strip():
        raise InvalidInput("비밀번호가 비어 있습니다 (empty password)")
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidInput(f"비밀번호는 {MIN_PASSWORD_CHARS}자 이상이어야 합니다 (password too short)")
    if len(password) > MAX_PASSWORD_CHARS:
        raise InvalidInput(f"비밀번호는 {MAX_PASSWORD_CHARS:,}자 이하여야 합니다 (password too long)")
    if any(unicodedata.category(ch) == "Cc" for ch in password):
        raise InvalidInput("비밀번호에 제어 문자를 쓸 수 없습니다 (control character in password)")
    return password


def hash_password(password: str) -> str:
    """The Argon2id hash string of a checked password (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`)."""
    return _hasher().hash(check_password(password))


def verify_password(stored: str, password: str) -> bool:
    """Whether `password` matches the stored hash (False for a wrong password or a hash that
    cannot be read — never an exception carrying either)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    if not isinstance(password, str) or not isinstance(stored, str) or len(password) > MAX_PASSWORD_CHARS:
        return False
    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether a hash was made with other parameters than today's (re-hash it at login)."""
    from argon2.exceptions import InvalidHashError

    try:
        return _hasher().check_needs_rehash(stored)
    except InvalidHashError:
        return True


@functools.lru_cache(maxsize=1)
def dummy_hash() -> str:
    """A hash of a random string: verified against for an unknown name, so that a login for a
    name with no account takes as long as one with a wrong password (no name probing)."""
    import secrets

    return hash_password(secrets.token_urlsafe(24))
