"""Fitting a learner's FSRS parameters in the background: the fit takes seconds (torch), so the
web page starts it and looks at it again instead of waiting in one request. One fit per learner
at a time; the latest outcome is kept until the next start."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable

from learning import OptimizeResult, RecordError


@dataclass(frozen=True)
class OptimizeJob:
    """Where a learner's fit stands: running, or done with its result or a one-line error."""

    user: str
    started: float  # time.time() when it started
    running: bool
    result: OptimizeResult | None = None
    error: str | None = None


class OptimizeJobs:
    def __init__(self, run: Callable[[str], OptimizeResult]) -> None:
        self._run = run
        self._jobs: dict[str, OptimizeJob] = {}
        self._lock = threading.Lock()

    def start(self, user: str) -> OptimizeJob:
        """Start `user`'s fit (or give the one already running)."""
        with self._lock:
            job = self._jobs.get(user)
            if job is not None and job.running:
                return job
            job = self._jobs[user] = OptimizeJob(user, time.time(), True)
        threading.Thread(target=self._work, args=(job,), name=f"optimize-{user[:20]}", daemon=True).start()
        return job

    def get(self, user: str) -> OptimizeJob | None:
        with self._lock:
            return self._jobs.get(user)

    def _work(self, job: OptimizeJob) -> None:
        try:
            done = OptimizeJob(job.user, job.started, False, result=self._run(job.user))
        except RecordError as exc:
            done = OptimizeJob(job.user, job.started, False, error=str(exc))
        except Exception as exc:  # the page shows one line; the thread must not die silently
            done = OptimizeJob(job.user, job.started, False, error=f"{type(exc).__name__}: {exc}")
        with self._lock:
            self._jobs[job.user] = done
