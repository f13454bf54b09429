"""The unit lane's learning-record tests again, on a real PostgreSQL server: the record must
behave the same on both engines (the unit lane runs them on SQLite)."""
from __future__ import annotations

import pytest

from tests.support.records import record_url_for
from tests.unit.test_record import *  # noqa: F401,F403
from tests.unit.test_record_rerate import *  # noqa: F401,F403
from tests.unit.test_record_review_wrong_progress import *  # noqa: F401,F403
from tests.unit.test_record_batch import *  # noqa: F401,F403
from tests.unit.test_record_exam import *  # noqa: F401,F403
from tests.unit.test_record_plan import *  # noqa: F401,F403
from tests.unit.test_record_optimize import *  # noqa: F401,F403
from tests.unit.test_record_accounts import *  # noqa: F401,F403


@pytest.fixture(params=("postgresql",))
def record_url(request, tmp_path) -> str:
    return record_url_for(request, tmp_path, request.param)
