"""What a figure was measured on and under: the machine line, the load average, percentiles."""
from __future__ import annotations

import os
import platform
from pathlib import Path


def machine() -> str:
    """CPU model and its notable flags (AMX, AVX-512, VNNI, AVX2 …), cores and Python version,
    for a figure's header line: the same code runs 2–3× apart on CPUs that differ in a flag."""
    from e5fast.cpu import cpu_info

    return f"{cpu_info().describe()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def pace(runs: int = 200) -> float:
    """Microseconds a fixed piece of a question's embedding takes here now (median of `runs`):
    one int8 matmul of 31 tokens × 384 by 384 × 1,536 in ONNX Runtime on one thread — the kind
    of work that is ~half a question's model run. Printed beside latency figures, since this
    machine's speed drifts ~2× within minutes: two runs compare only at the same pace."""
    import time

    import numpy as np
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(rng.integers(-63, 64, (384, 1536)).astype(np.int8), "w")
    s = numpy_helper.from_array(np.full(1536, 0.01, np.float32), "s")
    graph = helper.make_graph([helper.make_node("DynamicQuantizeMatMul", ["x", "w", "s"], ["y"], domain="com.microsoft")],
                              "pace", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 384])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 1536])], [w, s])
    model = helper.make_model(graph, ir_version=9, opset_imports=[helper.make_opsetid("", 17),
                                                                  helper.make_opsetid("com.microsoft", 1)])
    so = ort.SessionOptions()
    so.intra_op_num_threads = so.inter_op_num_threads = 1
    session = ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])
    feed = {"x": rng.standard_normal((31, 384)).astype(np.float32)}
    for _ in range(20):
        session.run(None, feed)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        session.run(None, feed)
        times.append((time.perf_counter() - t) * 1e6)
    return pct(times, 50)


def load() -> str:
    """The 1-minute load average as "load 0.96": other work on a shared machine slows a run."""
    return f"load {os.getloadavg()[0]:.2f}"


def load_avg() -> str:
    """The three load averages of /proc/loadavg ("?" where there is none)."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def pct(xs: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of `xs`; NaN when empty."""
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else float("nan")
