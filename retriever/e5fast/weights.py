"""float32 safetensors files without torch: a streaming writer and a memory-mapped reader.

Mapping instead of reading keeps the 384 MB word table out of anonymous memory: its pages
are clean page cache, shared and reclaimable. (They still count in RSS once touched: with
the kernel's fault-around, a build touches most of the file.)
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Iterable

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


def write_safetensors(path: Path, specs: Iterable[tuple[str, tuple[int, ...], Callable[[], object]]],
                      metadata: dict[str, str] | None = None) -> None:
    """Write float32 tensors (name, shape, loader) in the safetensors format, one at a time;
    a loader returns an array or an iterable of row blocks.

    Format: u64 header length, a JSON header (name → dtype, shape, [begin, end) byte
    offsets into the data), padded with spaces to 8 bytes, then the raw little-endian data.
    """
    specs = list(specs)
    header: dict = {"__metadata__": metadata} if metadata else {}
    offset = 0
    for name, shape, _ in specs:
        size = 4 * int(np.prod(shape))
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [offset, offset + size]}
        offset += size
    blob = json.dumps(header, separators=(",", ":")).encode("utf-8")
    blob += b" " * (-len(blob) % 8)
    with open(path, "wb") as f:
        f.write(len(blob).to_bytes(8, "little"))
        f.write(blob)
        for name, shape, load in specs:
            data = load()
            written = 0
            for arr in [data] if isinstance(data, np.ndarray) else data:  # an array or row blocks
                arr = np.ascontiguousarray(arr, dtype="<f4")
                f.write(memoryview(arr).cast("B"))
                written += arr.size
            if written != int(np.prod(shape)):
                raise ValueError(f"{name}: wrote {written} values, declared shape {shape}")
