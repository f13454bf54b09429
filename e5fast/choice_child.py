"""The first choice's child process: load every path, measure, print the choice as JSON.

    python -m e5fast.choice_child '{"model_dir": …, "probe_file": …, "queries": "auto", "key": …, "hidden": […]}'

Started by `first_choice.measure_in_child`; everything it loads is given back when it exits.
"""
from __future__ import annotations

import json
import logging
import sys
from importlib.util import find_spec
from pathlib import Path

from .choose import Choice, measure
from .cpu import cpu_info
from .engine import PATHS, QUERY_ONLY, TORCH_PATHS, Engine
from .probe import load_probe

log = logging.getLogger(__name__)


def child(args: dict) -> dict:
    """What the child does: load every path, measure, return the choice (JSON-ready)."""
    engine = Engine(args["model_dir"], queries=args["queries"], num_threads=args["num_threads"],
                    probe_file=Path(args["probe_file"]), fallback=False)
    return measure_here(engine, args["key"]).to_dict()


def measure_here(engine: Engine, key: str) -> Choice:
    """Load every path that can run into `engine` and measure them (`choose.measure`)."""
    runs, unavailable = {}, {}
    _prepare_graphs(engine)
    for path in PATHS:
        try:
            engine._runner(path)
            runs[path] = lambda texts, q, path=path: engine._run(path, texts, q, False)
        except Exception as exc:  # a missing runtime or an unsupported kernel
            unavailable[path] = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
    if "fp32" not in runs:
        raise RuntimeError(f"the fp32 reference cannot run: {unavailable.get('fp32')}")
    # Query candidates: the ONNX paths that run. A question through a torch path pays for
    # torch's import (~2 s) in a process that only asks — more than any per-question gain (bf16
    # was measured 14.4 ms vs q4's 15.2 here, and made `ask` import torch). With no ONNX path
    # that agrees, queries go through the passage path (`measure`).
    queries = {p: run for p, run in runs.items() if p not in TORCH_PATHS} if engine.queries == "auto" else {}
    for path in QUERY_ONLY if engine.queries == "auto" else ():  # graphs for questions only (int8q)
        try:
            engine._runner(path)
            queries[path] = lambda texts, q, path=path: engine._run(path, texts, q, False)
        except Exception as exc:
            unavailable[path] = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
    probe = load_probe(engine.probe_file)
    return measure(runs, probe, queries, unavailable, cpu=cpu_info().describe(), key=key,
                   reference=_reference(engine, probe))


def _prepare_graphs(engine: Engine) -> None:
    """Every ONNX graph the measurement needs, from one export (when onnxruntime is installed)."""
    if find_spec("onnxruntime") is not None:
        from .onnx_graph import prepare_graphs
        from .runners import ORT_PATHS

        try:
            prepare_graphs(engine.folder(), ORT_PATHS.values())
        except Exception as exc:  # the ONNX paths then report themselves unavailable
            log.warning("ONNX graphs could not be written: %s", exc)


def _reference(engine: Engine, probe):
    """fp32's probe vectors measured beforehand for this model file (None: run fp32 here)."""
    from .materialize import INFO_FILE
    from .probe import load_reference

    try:
        sha = json.loads((engine.folder() / INFO_FILE).read_text(encoding="utf-8"))["sha256"]
    except (OSError, ValueError, KeyError):
        return None
    return load_reference(probe, sha)


def main() -> None:
    args = json.loads(sys.argv[1])
    for name in args.get("hidden", ()):
        sys.modules[name] = None  # the parent cannot import it: neither may the child
    print(json.dumps(child(args), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
