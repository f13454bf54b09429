"""Engines for the record: SQLite pragmas and locking, connection checks, a broken file moved aside.

SQLite: WAL journal, a 30 s busy timeout, synchronous=FULL (a committed grade survives a crash),
foreign keys on, and explicit transactions — reads `BEGIN`, writes `BEGIN IMMEDIATE` so
concurrent writers queue on the busy timeout instead of failing on a lock upgrade.
Any other URL (e.g. `postgresql+psycopg://…`) is used as given, with a short connect timeout.
"""
from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from .errors import DatabaseUnavailable

BUSY_TIMEOUT_MS = 30_000
CONNECT_TIMEOUT_S = 10
SQLITE_MAGIC = b"SQLite format 3\x00"


def default_url(data_dir: str | os.PathLike) -> str:
    """The default record: `<data_dir>/study.db` (data_dir: `STUDY_DATA_DIR`, default ./data)."""
    return f"sqlite:///{Path(data_dir).expanduser().resolve() / 'study.db'}"


def display_url(url: URL) -> str:
    return url.render_as_string(hide_password=True)


@dataclass
class Database:
    """An open engine pair: `engine` for reads, `writer` (same pool) for write transactions."""

    engine: Engine
    writer: Engine
    url: str  # password hidden
    notice: str | None = None  # set when a broken SQLite file was moved aside
    moved_to: Path | None = None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()


def parse_url(url: str) -> URL:
    try:
        return make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise DatabaseUnavailable(f"학습 기록 데이터베이스 주소가 올바르지 않습니다 (bad database URL): {exc}") from None


def sqlite_file(url: URL) -> Path | None:
    """The file of a file-backed SQLite URL, else None (in-memory or another database)."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    if url.database.startswith("file:"):
        return None
    return Path(url.database)


def _sqlite_engine(url: URL) -> Engine:
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see _on_begin)
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            set_wal(cur)
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        mode = conn.get_execution_options().get("learning_begin", "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())

    return engine


def _pause(seconds: float) -> None:
    time.sleep(seconds)


def _clock() -> float:
    return time.monotonic()


def is_busy(exc: BaseException) -> bool:
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name.startswith("SQLITE_BUSY") or (not name and "database is locked" in str(exc))


def set_wal(cur: sqlite3.Cursor, wait_s: float = BUSY_TIMEOUT_MS / 1000) -> None:
    """Switch the file to WAL, waiting (up to `wait_s`) for another process's first write.

    SQLite answers a journal-mode switch with SQLITE_BUSY at once, without calling the busy
    handler, while another connection holds the write lock of a rollback-journal file (its
    deadlock rule). That is exactly the moment two processes create a fresh record together,
    so the switch is retried here; on a file already in WAL it is a no-op that takes no lock.
    """
    give_up, delay = _clock() + wait_s, 0.005
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if not is_busy(exc) or _clock() >= give_up:
                raise
        _pause(delay)
        delay = min(delay * 2, 0.1)


def _other_engine(url: URL) -> Engine:
    args = {}
    if url.get_backend_name() == "postgresql":
        args["connect_timeout"] = CONNECT_TIMEOUT_S
    return create_engine(url, connect_args=args, pool_pre_ping=True)


def first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    lines = [ln.strip() for ln in str(orig).splitlines() if ln.strip()]
    return lines[0] if lines else type(orig).__name__


def is_corruption(exc: BaseException) -> bool:
    """True for SQLite's "not a database" / "malformed" errors (not for locks or I/O)."""
    orig = getattr(exc, "orig", None) or exc
    name = getattr(orig, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")):
        return True
    msg = str(orig).lower()
    return isinstance(orig, sqlite3.DatabaseError) and ("malformed" in msg or "not a database" in msg)


def _check_sqlite(engine: Engine, path: Path) -> None:
    """Raise a corruption error when the file is not a sound SQLite database."""
    if path.exists() and path.stat().st_size > 0:
        with path.open("rb") as f:
            if f.read(16) != SQLITE_MAGIC:
                raise sqlite3.DatabaseError("file is not a database")
    with engine.connect() as conn:
        rows = [r[0] for r in conn.exec_driver_sql("PRAGMA quick_check").fetchall()]
    if rows != ["ok"]:
        raise sqlite3.DatabaseError(f"database disk image is malformed: {rows[0] if rows else '?'}")


def move_aside(path: Path) -> Path:
    """Rename a broken database (and its -wal/-shm files) next to itself; never deletes."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    n, target = 0, path.with_name(f"{path.name}.corrupt-{stamp}")
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    os.replace(path, target)
    for suffix in ("-wal", "-shm", "-journal"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, target.with_name(target.name + suffix))
    return target


def open_database(url: str) -> Database:
    """Connect (and for SQLite: check the file, moving a broken one aside); no schema work."""
    u = parse_url(url)
    path = sqlite_file(u)
    try:
        if u.get_backend_name() == "sqlite":
            return _open_sqlite(u, path)
        return _open_other(u)
    except DatabaseUnavailable:
        raise
    except (NoSuchModuleError, ArgumentError) as exc:
        raise DatabaseUnavailable(
            f"학습 기록 데이터베이스 드라이버를 쓸 수 없습니다 (database driver): {display_url(u)}: {first_line(exc)}"
        ) from None
    except (SQLAlchemyError, sqlite3.Error, OSError) as exc:
        raise DatabaseUnavailable(
            f"학습 기록 데이터베이스에 연결할 수 없습니다 (cannot connect): {display_url(u)}: {first_line(exc)}"
        ) from None


def _open_sqlite(u: URL, path: Path | None) -> Database:
    engine = _sqlite_engine(u)
    if path is None:  # in-memory or a `file:` URI: nothing to create or move aside
        return Database(engine, engine.execution_options(learning_begin="IMMEDIATE"), display_url(u))
    path.parent.mkdir(parents=True, exist_ok=True)
    notice, moved = None, None
    try:
        _check_sqlite(engine, path)
    except (sqlite3.DatabaseError, DBAPIError) as exc:
        engine.dispose()
        if not is_corruption(exc):
            raise
        try:
            moved = move_aside(path)
            notice = (f"학습 기록 파일이 손상되어 {moved}(으)로 옮겨 두고 새 기록을 시작합니다"
                      f" (corrupt record moved aside, starting fresh)")
        except FileNotFoundError:  # another process moved it aside first
            pass
        engine = _sqlite_engine(u)
        _check_sqlite(engine, path)
    return Database(engine, engine.execution_options(learning_begin="IMMEDIATE"), display_url(u),
                    notice, moved)


def _open_other(u: URL) -> Database:
    engine = _other_engine(u)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except BaseException:
        engine.dispose()
        raise
    return Database(engine, engine, display_url(u))
