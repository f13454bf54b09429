"""Schema migrations (Alembic), applied programmatically when a record is opened.

No alembic.ini is needed: the script directory is this package's `migrations/`. Upgrades run
inside one transaction holding a lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory
transaction lock), so many processes opening the same database at once migrate it once.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from .errors import DatabaseUnavailable

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "learning_version"
HEAD = "0007"  # the newest revision in migrations/versions (a test checks it against Alembic)
_PG_LOCK_KEY = 0x1EA4_9A17  # arbitrary constant: "the learning record's schema lock"


def _config(connection: Connection | None = None) -> "Config":
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["version_table"] = VERSION_TABLE
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def script_directory() -> "ScriptDirectory":
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config())


def head_revision() -> str:
    head = script_directory().get_current_head()
    assert head is not None
    return head


def revisions() -> list[str]:
    """All revision ids, oldest first."""
    return [s.revision for s in reversed(list(script_directory().walk_revisions()))]


def current_revision(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
    return ctx.get_current_revision()


def _lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})


def _is_current(engine: Engine) -> bool:
    """Fast path without importing Alembic: the version table already says HEAD."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return False
        return [r[0] for r in conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))] == [HEAD]


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Bring the schema to `revision` (default: head); returns the revision reached."""
    if revision in ("head", HEAD) and _is_current(engine):
        return HEAD
    from alembic import command

    known = revisions()
    target = known[-1] if revision == "head" else revision
    if target not in known:
        raise ValueError(f"unknown revision {revision!r}")
    with engine.connect() as conn:
        current = current_revision(conn)
    if current == target:
        return target
    if current is not None and current not in known:
        raise DatabaseUnavailable(
            f"학습 기록 스키마({current})가 이 프로그램이 아는 버전보다 새것입니다: 프로그램을 업데이트하세요"
            " (database schema is newer than this program)")
    with engine.execution_options(learning_begin="IMMEDIATE").begin() as conn:
        _lock(conn)
        if current_revision(conn) != target:
            command.upgrade(_config(conn), target)
    return target
