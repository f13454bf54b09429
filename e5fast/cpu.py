"""The CPU the engine runs on: its model and flags (the key of the cached path choice), and cores."""
from __future__ import annotations

import hashlib
import os
import platform
from dataclasses import dataclass
from pathlib import Path

# Flags worth naming when the choice is explained (x86 and Arm spellings of /proc/cpuinfo).
NOTABLE = ("amx_bf16", "amx_int8", "avx512_bf16", "avx512_vnni", "avx512f", "avx_vnni", "avx2",
           "bf16", "i8mm", "asimddp", "sve")


@dataclass(frozen=True)
class CpuInfo:
    model: str
    arch: str
    flags: frozenset[str]

    @property
    def key(self) -> str:
        """Stable id of this kind of CPU: model, architecture and every flag."""
        text = "\n".join([self.model, self.arch, " ".join(sorted(self.flags))])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def describe(self) -> str:
        notable = [f for f in NOTABLE if f in self.flags]
        return f"{self.model} ({self.arch}{'; ' + ' '.join(notable) if notable else ''})"


def cpu_info(cpuinfo: str | None = None) -> CpuInfo:
    """This machine's CPU from /proc/cpuinfo (Linux); platform names elsewhere."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="ignore")
        except OSError:
            cpuinfo = ""
    fields: dict[str, str] = {}
    for line in cpuinfo.splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip() not in fields:
            fields[name.strip()] = value.strip()
    model = fields.get("model name") or fields.get("Model") or platform.processor() or "unknown CPU"
    if "CPU part" in fields and "model name" not in fields:  # Arm: implementer and part number
        model = f"{model} (implementer {fields.get('CPU implementer', '?')}, part {fields['CPU part']})"
    flags = frozenset((fields.get("flags") or fields.get("Features") or "").split())
    return CpuInfo(model, platform.machine() or "unknown", flags)


def cores() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1
