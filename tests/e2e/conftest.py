"""The end-to-end lane: the command line (in the test process, `support/cli.py`, and as
processes), the launched app (its API, logins and
load) and a real browser (Debian chromium; skipped with the reason where it is missing, a
failure in CI). Apps and commands run on copies of the seed notes and of their real index."""
from __future__ import annotations

import os

import pytest

from tests.conftest import ROOT
from tests.support.browser import browser  # noqa: F401  (one Chromium per run)
from tests.support.libraries import copy_index
from tests.support.records import BACKENDS, record_url_for


@pytest.fixture(scope="session", autouse=True)
def shared_model_dir(model_dir):
    """Every app and command of the run shares one materialised model (STUDY_MODEL_DIR)."""
    return model_dir


@pytest.fixture(scope="session")
def embedder(real_embedder):
    return real_embedder


@pytest.fixture(scope="session")
def seed_index_dir(real_seed_index_dir):
    return real_seed_index_dir


@pytest.fixture
def seed_index_copy(seed_index_dir, tmp_path):
    return copy_index(seed_index_dir, tmp_path / "index")


@pytest.fixture(params=BACKENDS)
def record_url(request, tmp_path) -> str:
    return record_url_for(request, tmp_path, request.param)


@pytest.fixture
def cli_env(tmp_path) -> dict:
    """Environment of one `python -m tutor` run, in this process or a child (its record in tmp_path)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUDY_") or k == "STUDY_MODEL_DIR"}
    env.update({"PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "STUDY_DATA_DIR": str(tmp_path / "study-data")})
    return env
