"""The unit lane: pure logic on small real data — real Kiwi, real FAISS, the seed notes — with
one named fake, a tiny deterministic embedder, and the learning record on SQLite only. No
database server, no browser, no model load; under a minute on 2 cores."""
from __future__ import annotations

import pytest

from tests.support.fakes import FakeEmbedder
from tests.support.libraries import build_index, copy_index, open_library
from tests.support.records import record_url_for


@pytest.fixture(scope="session")
def embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture(scope="session")
def seed_index_dir(tmp_path_factory, embedder, tokenizer, seed_corpus):
    return build_index(seed_corpus, tmp_path_factory.mktemp("seed-index-fake"), embedder, tokenizer)


@pytest.fixture(scope="session")
def seed_library(seed_corpus, seed_index_dir, embedder, tokenizer):
    return open_library(seed_corpus, seed_index_dir, embedder, tokenizer)


@pytest.fixture
def seed_index_copy(seed_index_dir, tmp_path):
    return copy_index(seed_index_dir, tmp_path / "index")


@pytest.fixture(params=("sqlite",))
def record_url(request, tmp_path) -> str:
    return record_url_for(request, tmp_path, request.param)
