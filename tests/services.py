"""Services the integration tests need (Tesseract…): skipped with the reason on a laptop,
failed in CI. `.ci/run` sets STUDY_REQUIRE_SERVICES=1; it is read here when conftest imports
this module, before conftest clears the STUDY_ variables."""
from __future__ import annotations

import os

import pytest

REQUIRE_SERVICES = os.environ.get("STUDY_REQUIRE_SERVICES") == "1"


def need_service(missing: str | None) -> None:
    """Skip the calling test when a service it needs is missing (`missing`: why, one line);
    fail it instead in CI, where every service must be there."""
    if missing:
        (pytest.fail if REQUIRE_SERVICES else pytest.skip)(missing)
