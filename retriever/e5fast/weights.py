"""Memory-mapped float32 arrays from a safetensors file, without torch.

Mapping instead of reading keeps the 384 MB word table out of anonymous memory: its pages
are clean page cache, shared and reclaimable. (They still count in RSS once touched: with
the kernel's fault-around, a build touches most of the file.)
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

WORD_TABLE = "embeddings.word_embeddings.weight"


def mapped_arrays(path: Path, mode: str = "r", only: str | None = None) -> dict[str, np.ndarray]:
    """name → float32 array view of the file; `mode` "r" read-only, "c" copy-on-write."""
    with open(path, "rb") as f:
        (n,) = np.frombuffer(f.read(8), dtype="<u8")
        header = json.loads(f.read(int(n)))
    data = np.memmap(path, dtype=np.uint8, mode=mode, offset=8 + int(n))
    out = {}
    for name, meta in header.items():
        if name == "__metadata__" or (only is not None and name != only):
            continue
        if meta["dtype"] != "F32":
            raise ValueError(f"{path}: {name} is {meta['dtype']}, expected F32")
        a, b = meta["data_offsets"]
        out[name] = data[a:b].view(np.float32).reshape(meta["shape"])
    return out


def read_word_table(path: Path) -> np.ndarray:
    """The word-embedding table as a read-only memmap (for the ONNX query path)."""
    return mapped_arrays(Path(path), mode="r", only=WORD_TABLE)[WORD_TABLE]
