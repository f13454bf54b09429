"""safetensors files without torch: a streaming writer and a memory-mapped reader.

The folder stores float16 (`F16`: half the disk of float32, and the dequantised 4-bit
weights lose nothing that matters — cosine to float32 ≥ 0.9999, bench/engine.py); the
reader also takes the float32 files of older folders. The small tensors are memory-mapped;
the word table is read row by row (`RowReader`) and handed out as float32.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

WORD_TABLE = "embeddings.word_embeddings.weight"
DTYPES = {"F32": np.dtype("<f4"), "F16": np.dtype("<f2")}


def mapped_arrays(path: Path, mode: str = "r", only: str | None = None) -> dict[str, np.ndarray]:
    """name → array view of the file (float32 or float16 as stored); `mode` "r" read-only,
    "c" copy-on-write."""
    with open(path, "rb") as f:
        (n,) = np.frombuffer(f.read(8), dtype="<u8")
        header = json.loads(f.read(int(n)))
    data = np.memmap(path, dtype=np.uint8, mode=mode, offset=8 + int(n))
    out = {}
    for name, meta in header.items():
        if name == "__metadata__" or (only is not None and name != only):
            continue
        if meta["dtype"] not in DTYPES:
            raise ValueError(f"{path}: {name} is {meta['dtype']}, expected one of {sorted(DTYPES)}")
        a, b = meta["data_offsets"]
        out[name] = data[a:b].view(DTYPES[meta["dtype"]]).reshape(meta["shape"])
    return out


class RowReader:
    """Rows of one 2-D tensor of a safetensors file as float32, read with `pread` on demand.

    For the 250k × 384 word table: a batch needs a few thousand rows. Memory-mapping it
    instead put most of the 384 MB file into the resident set during a build (the kernel
    maps neighbouring pages on every fault, and MADV_RANDOM did not stop it; measured);
    reading rows keeps them in the page cache only.
    """

    def __init__(self, path: Path, name: str = WORD_TABLE) -> None:
        with open(path, "rb") as f:
            (n,) = np.frombuffer(f.read(8), dtype="<u8")
            meta = json.loads(f.read(int(n)))[name]
        if meta["dtype"] not in DTYPES or len(meta["shape"]) != 2:
            raise ValueError(f"{path}: {name} is {meta['dtype']} {meta['shape']}, expected 2-D F32 or F16")
        self.shape = tuple(meta["shape"])
        self._dtype = DTYPES[meta["dtype"]]
        self._row_bytes = self._dtype.itemsize * self.shape[1]
        self._base = 8 + int(n) + meta["data_offsets"][0]
        self._fd = os.open(path, os.O_RDONLY)

    def __getitem__(self, ids: np.ndarray) -> np.ndarray:
        """float32 rows for an integer id array of any shape → shape + (columns,)."""
        ids = np.asarray(ids, dtype=np.int64)
        uniq, inverse = np.unique(ids, return_inverse=True)
        if uniq.size and (uniq[0] < 0 or uniq[-1] >= self.shape[0]):
            raise IndexError(f"token id out of range 0..{self.shape[0] - 1}")
        buf = bytearray(uniq.size * self._row_bytes)
        view = memoryview(buf)
        rb = self._row_bytes
        for j, i in enumerate(uniq.tolist()):
            if os.preadv(self._fd, [view[j * rb:(j + 1) * rb]], self._base + i * rb) != rb:
                raise OSError("short read from the model file")
        table = np.frombuffer(buf, dtype=self._dtype).reshape(uniq.size, self.shape[1])
        return table.astype(np.float32)[inverse.reshape(ids.shape)]

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __del__(self) -> None:
        self.close()


def write_safetensors(path: Path, specs: Iterable[tuple[str, tuple[int, ...], Callable[[], object]]],
                      metadata: dict[str, str] | None = None, dtype: str = "F16") -> None:
    """Write tensors (name, shape, loader) as `dtype` ("F16" or "F32") in the safetensors
    format, one at a time; a loader returns an array or an iterable of row blocks.

    Format: u64 header length, a JSON header (name → dtype, shape, [begin, end) byte
    offsets into the data), padded with spaces to 8 bytes, then the raw little-endian data.
    """
    specs = list(specs)
    header: dict = {"__metadata__": metadata} if metadata else {}
    offset = 0
    np_dtype = DTYPES[dtype]
    for name, shape, _ in specs:
        size = np_dtype.itemsize * int(np.prod(shape))
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + size]}
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
                arr = np.ascontiguousarray(arr, dtype=np_dtype)
                if not np.isfinite(arr).all():
                    raise ValueError(f"{name}: a value does not fit {dtype}")
                f.write(memoryview(arr).cast("B"))
                written += arr.size
            if written != int(np.prod(shape)):
                raise ValueError(f"{name}: wrote {written} values, declared shape {shape}")
