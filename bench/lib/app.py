"""Running the web app in a subprocess, for the benchmarks (startup, load) and the tests that
launch it: private copies of its notes and index, a free port, its environment, start, wait
until it answers, stop."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.lib.paths import OUT, ROOT


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_seed(corpus: Path, index: Path, root: Path) -> tuple[Path, Path]:
    """Private copies of the seed notes and their index in `root` (nothing is re-embedded)."""
    shutil.copytree(corpus, root / "corpus")
    shutil.copytree(index, root / "index")
    return root / "corpus", root / "index"


def app_env(corpus: Path, index: Path, port: int, data_dir: Path | None = None, **extra: str) -> dict:
    """The app's environment: nothing STUDY_* from the caller's, the learning record in
    `data_dir` (default: `study-data` beside the index — under the git-ignored bench/out/ for the
    repository's own index — never the repository's ./data)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STUDY_", "GRADIO_"))}
    beside = Path(index).resolve().parent
    data = data_dir if data_dir is not None else (OUT if beside == ROOT else beside) / "study-data"
    env.update({"STUDY_CORPUS_DIR": str(corpus), "STUDY_INDEX_DIR": str(index), "STUDY_DATA_DIR": str(data),
                "GRADIO_SERVER_PORT": str(port), "GRADIO_SERVER_NAME": "127.0.0.1",
                "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1",
                "TRANSFORMERS_OFFLINE": "1", "PYTHONUNBUFFERED": "1",
                "PYTHONPATH": str(ROOT)})
    if os.environ.get("STUDY_MODEL_DIR"):  # the test session's one materialised e5fast folder
        env["STUDY_MODEL_DIR"] = os.environ["STUDY_MODEL_DIR"]
    env.update(extra)
    return env


def start_app(env: dict, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "wb")
    return subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=str(ROOT), env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


# gradio_client's own read timeout is 20 s; on a shared machine under load (a test run's workers, a
# browser) a first quiz after start — the pool built, Kiwi holding the GIL — can take longer
CALL_TIMEOUT = 120.0


def app_client(url: str, auth: tuple[str, str] | None = None):
    """A gradio_client.Client of the launched app (logged in with `auth`), patient under load."""
    from gradio_client import Client

    return Client(url, verbose=False, auth=auth, httpx_kwargs={"timeout": CALL_TIMEOUT})


def wait_for_app(proc: subprocess.Popen, url: str, log_path: Path, timeout: float = 180.0,
                 auth: tuple[str, str] | None = None):
    """A connected gradio_client.Client once the app answers, or RuntimeError with the log."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app exited with {proc.returncode}:\n{log_path.read_text(errors='replace')[-4000:]}")
        try:
            return app_client(url, auth)
        except Exception as exc:  # not listening yet
            last = exc
            time.sleep(0.1)
    raise RuntimeError(f"app did not answer within {timeout}s ({last}):\n"
                       f"{log_path.read_text(errors='replace')[-4000:]}")


def stop_app(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
