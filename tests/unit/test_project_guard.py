"""The run's guard of the project's folders tells the tests' writes from those of an app a learner
runs from the same checkout (`support/holders.py`)."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.holders import foreign_holders

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc (Linux)")

# Forks and leaves: the grandchild belongs to no process of the test run, like an app started
# from a shell. It opens the file, then says so (its pid, written atomically) and waits.
DETACHED = """
import os, signal, sys
if os.fork():
    os._exit(0)
os.setsid()
held = open(sys.argv[1], "a")
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(os.getpid()))
os.replace(sys.argv[2] + ".tmp", sys.argv[2])
signal.pause()
"""


def _wait_for(path: Path, seconds: float = 20.0) -> str:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.01)
    return path.read_text()


def test_a_process_outside_the_run_holding_a_project_file_is_named(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "index").mkdir()
    ready = tmp_path / "ready"
    subprocess.run([sys.executable, "-c", DETACHED, str(tmp_path / "data" / "study.db"), str(ready)], check=True)
    pid = int(_wait_for(ready))
    try:
        held = foreign_holders(tmp_path, ("corpus", "index", "data"))
        assert held == {"data": [pid]}
    finally:
        os.kill(pid, signal.SIGTERM)


def test_a_process_the_tests_started_is_theirs(tmp_path):
    (tmp_path / "data").mkdir()
    child = subprocess.Popen([sys.executable, "-c", "import sys; f = open(sys.argv[1], 'a'); print('open', flush=True); "
                              "sys.stdin.read()", str(tmp_path / "data" / "study.db")],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "open"
        assert foreign_holders(tmp_path, ("corpus", "index", "data")) == {}
    finally:
        child.stdin.close()
        child.wait(timeout=20)
