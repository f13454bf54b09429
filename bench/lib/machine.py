"""What a figure was measured on and under: the machine line, the load average, percentiles."""
from __future__ import annotations

import os
import platform
from pathlib import Path


def machine() -> str:
    """CPU (or architecture), cores and Python version, for a figure's header line."""
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


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
