"""The first choice on a new CPU, measured in a short-lived child process (the parent's side).

Measuring loads every path at once (two torch encoders, three ONNX Runtime sessions, their
arenas): done in the process that then builds the index, ~370 MiB of it stayed resident
after the runners were freed, and a 700-page first build peaked at 1,756 MiB against
1,007 MiB with the choice cached (bench/RESULTS.md, issue 22). A child process
(`python -m e5fast.choice_child`) gives all of it back when it exits. It prints the choice as
JSON on its last line of output (no pickle); the parent caches it and loads only the paths
chosen. The child sees the same runtimes as its parent: a module the parent cannot import
(absent, or hidden by a test) is hidden in the child too, so the choice is one the parent can run.
"""
from __future__ import annotations

import json
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

from .choose import Choice

RUNTIMES = ("torch", "onnxruntime")


def measure_in_child(engine, key: str) -> Choice:
    """Measure the engine's paths in a child process; the choice it made."""
    args = {"model_dir": str(Path(engine.model_dir).resolve()), "probe_file": str(Path(engine.probe_file).resolve()),
            "queries": engine.queries, "num_threads": engine.num_threads, "key": key,
            "hidden": [m for m in RUNTIMES if find_spec(m) is None]}
    return Choice.from_dict(run_child(args))


def run_child(args: dict) -> dict:
    """`python -m e5fast.choice_child <args>` → the choice as a dict (tests run `choice_child.child` here)."""
    here = Path(__file__).resolve().parents[1]  # `-m` finds this very package from there
    out = subprocess.run([sys.executable, "-m", "e5fast.choice_child", json.dumps(args)],
                         capture_output=True, text=True, cwd=here)
    lines = out.stdout.strip().splitlines()
    if out.returncode != 0 or not lines:
        tail = " | ".join(out.stderr.strip().splitlines()[-3:])
        raise RuntimeError(f"the path measurement failed (exit {out.returncode}): {tail}")
    return json.loads(lines[-1])
