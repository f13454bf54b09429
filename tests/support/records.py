"""Fixtures of the learning-record tests: the record on SQLite and on a real PostgreSQL server.

`tests/conftest.py` imports `postgres_cluster` (session scope, one server for the whole run);
each lane's conftest says which backends its `record_url` runs on (`record_url_for`); the test
modules import the rest from here.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bench.lib.pg_cluster import PostgresCluster, PostgresUnavailable
from tests.support.services import unavailable

BACKENDS = ("sqlite", "postgresql")
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)  # a fixed "now" for deterministic tests


@pytest.fixture(scope="session")
def postgres_cluster():
    """A throwaway PostgreSQL server; skipped with the reason where none can start (a failure in CI)."""
    try:
        cluster = PostgresCluster().start()
    except PostgresUnavailable as exc:
        unavailable("PostgreSQL", str(exc))
    try:
        yield cluster
    finally:
        cluster.stop()


def record_url_for(request, tmp_path, backend: str) -> str:
    """A fresh, empty record database: SQLite file in tmp_path, or a new PostgreSQL database."""
    if backend == "sqlite":
        from learning import default_url

        return default_url(tmp_path / "data")
    return request.getfixturevalue("postgres_cluster").create_database()


@pytest.fixture
def record(record_url):
    from learning import LearningRecord

    rec = LearningRecord.open(record_url, tz=timezone.utc, fuzz=False)
    yield rec
    rec.close()


def make_items(n: int, sections: int = 2, source: str = "notes.md", kind: str = "short"):
    """`n` real QuizItems with their ItemContext (section k % sections, one source line each)."""
    from learning import ItemContext
    from tutor.common.types import QuizItem, SourceRef

    out = []
    for k in range(n):
        options = ("가", "나", "다", "라") if kind == "mcq" else ()
        answer = "가" if kind == "mcq" else f"정답{k}"
        item = QuizItem(id=f"{kind}-{k:04d}", kind=kind, question=f"문제 {k}: 무엇인가?", options=options,
                        answer=answer, explanation=f"설명 {k}", source=SourceRef(source, f"제목 {k}", (k + 1, k + 1)))
        out.append(ItemContext.from_text(item, f"{k % sections + 1}. 섹션 {k % sections + 1}", f"원문 {k}"))
    return out


def at(days: float = 0, minutes: float = 0) -> datetime:
    return T0 + timedelta(days=days, minutes=minutes)
