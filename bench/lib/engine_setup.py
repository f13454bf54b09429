"""What the steps of `python -m bench.engine` (and the build studies) share: the model folder of
each CPU mode, the OCR-like texts they embed, the CPUID mask and the CPU line of a report.

`CPU_MODE` is set by `bench.engine.main` (or a child it starts): "native", or "noamx" / "avx2",
whose runs keep a hard-linked copy of the model folder with their own choice.
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
from pathlib import Path

from bench.lib.paths import OUT, ROOT
from bench.lib.texts import MSMARCO
from retriever import FastE5Embeddings

CACHE = OUT / "e5fast-cache"
CPU_ENV = {  # what a child process sees for --cpu (see the module docstring)
    "noamx": {"CPUID_MASK": "noamx", "ONEDNN_MAX_CPU_ISA": "AVX512_CORE_BF16"},
    "avx2": {"CPUID_MASK": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2", "ATEN_CPU_CAPABILITY": "avx2",
             "MKL_ENABLE_INSTRUCTIONS": "AVX2"},
}
CPU_MODE = "native"  # set by main(): which model-folder copy (and so which choice) this run uses


def cache_dir() -> Path:
    """The model dir of this CPU mode: native, or a hard-linked copy with its own choices.json."""
    if CPU_MODE == "native":
        return CACHE
    own = OUT / f"e5fast-cache-{CPU_MODE}"
    if not own.is_dir():
        FastE5Embeddings(CACHE).engine.folder()  # materialised once, natively
        subprocess.run(["cp", "-al", str(CACHE), str(own)], check=True)
        for f in own.glob("*/choices.json"):
            f.unlink()
    return own


def fast(**kw) -> FastE5Embeddings:
    return FastE5Embeddings(cache_dir=cache_dir(), fallback=False, **kw)


def ocr_chunks(n: int, chars: int = 600) -> list[str]:
    """n OCR-like chunks of ~600 chars: MS MARCO-ko passages run together and cut, as the
    chunker cuts plain page text."""
    out, cur = [], ""
    with MSMARCO.open(encoding="utf-8") as f:
        for line in f:
            cur = (cur + " " + json.loads(line)["text"]).strip()
            while len(cur) >= chars and len(out) < n:
                out.append(cur[:chars])
                cur = cur[chars:].lstrip()
            if len(out) == n:
                break
    return out


def make_ocr_pages(dest: Path, n_pages: int = 150, per_page: int = 3) -> int:
    dest.mkdir(parents=True, exist_ok=True)
    chunks = ocr_chunks(n_pages * per_page)
    for k in range(n_pages):
        (dest / f"page{k:03d}.txt").write_text("\n".join(chunks[k * per_page:(k + 1) * per_page]) + "\n",
                                               encoding="utf-8")
    return sum(map(len, chunks))


def cpuid_mask() -> Path:
    """bench/lib/cpuid_mask.c built once into bench/out (see its header for what it does)."""
    lib = OUT / "cpuid_mask.so"
    src = ROOT / "bench/lib/cpuid_mask.c"
    if not lib.is_file() or lib.stat().st_mtime < src.stat().st_mtime:
        subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", str(lib), str(src)], check=True)
    return lib


def cpu_line() -> str:
    from e5fast.cpu import cpu_info

    import torch

    info = cpu_info()
    return (f"{info.model}, {os.cpu_count()} cores, flags: {' '.join(sorted(info.flags))}; "
            f"Python {platform.python_version()}, torch {torch.__version__}, "
            f"torch sees {torch.backends.cpu.get_cpu_capability()}")
