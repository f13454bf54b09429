"""The first choice on a new CPU, measured in a short-lived child process.

Measuring loads every path at once (two torch encoders, three ONNX Runtime sessions, their
arenas): done in the process that then builds the index, ~370 MiB of it stayed resident
after the runners were freed, and a 700-page first build peaked at 1,756 MiB against
1,007 MiB with the choice cached (bench/RESULTS.md, issue 22). A child process gives all of
it back when it exits. It prints the choice as JSON on its last line of output (no pickle);
the parent caches it and loads only the paths chosen.

    python -m e5fast.first_choice '{"model_dir": …, "probe_file": …, "queries": "auto", …}'

The child sees the same runtimes as its parent: a module the parent cannot import (absent,
or hidden by a test) is hidden in the child too, so the choice is one the parent can run.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

from .choose import Choice, measure

RUNTIMES = ("torch", "onnxruntime")


def measure_in_child(engine, key: str) -> Choice:
    """Measure the engine's paths in a child process; the choice it made."""
    args = {"model_dir": str(engine.model_dir), "probe_file": str(engine.probe_file), "queries": engine.queries,
            "num_threads": engine.num_threads, "key": key,
            "hidden": [m for m in RUNTIMES if find_spec(m) is None]}
    return Choice.from_dict(run_child(args))


def run_child(args: dict) -> dict:
    """`python -m e5fast.first_choice <args>` → the choice as a dict (tests replace this by `child`)."""
    here = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH")) if p)}
    out = subprocess.run([sys.executable, "-m", "e5fast.first_choice", json.dumps(args)],
                         capture_output=True, text=True, env=env)
    lines = out.stdout.strip().splitlines()
    if out.returncode != 0 or not lines:
        tail = " | ".join(out.stderr.strip().splitlines()[-3:])
        raise RuntimeError(f"the path measurement failed (exit {out.returncode}): {tail}")
    return json.loads(lines[-1])


def child(args: dict) -> dict:
    """What the child does: load every path, measure, return the choice (JSON-ready)."""
    from .engine import Engine

    engine = Engine(args["model_dir"], queries=args["queries"], num_threads=args["num_threads"],
                    probe_file=Path(args["probe_file"]), fallback=False)
    return measure_here(engine, args["key"]).to_dict()


def measure_here(engine, key: str) -> Choice:
    """Load every path that can run into `engine` and measure them (`choose.measure`)."""
    from .cpu import cpu_info
    from .engine import PATHS
    from .probe import load_probe

    runs, unavailable = {}, {}
    engine._prepare_graphs()
    for path in PATHS:
        try:
            engine._runner(path)
            runs[path] = lambda texts, q, path=path: engine._run(path, texts, q, False)
        except Exception as exc:  # a missing runtime or an unsupported kernel
            unavailable[path] = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
    if "fp32" not in runs:
        raise RuntimeError(f"the fp32 reference cannot run: {unavailable.get('fp32')}")
    # Query candidates: every path that runs (a question through a torch path pays for torch's
    # import in a process that only asks, ~2 s: it wins only when it is measured faster).
    queries = runs if engine.queries == "auto" else {}
    probe = load_probe(engine.probe_file)
    return measure(runs, probe, queries, unavailable, cpu=cpu_info().describe(), key=key,
                   reference=engine._reference(probe))


def main() -> None:
    args = json.loads(sys.argv[1])
    for name in args.get("hidden", ()):
        sys.modules[name] = None  # the parent cannot import it: neither may the child
    print(json.dumps(child(args), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
