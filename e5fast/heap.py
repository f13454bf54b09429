"""glibc's heap told to give memory back: freed blocks trimmed, big blocks mapped on their own.

glibc keeps what a process frees on its heap for later use; a long build's big, short-lived
steps then stay resident: the engine's activations (a build grew by ~0.3 GB) and the notes'
reading. Reading a 181 MB scanned PDF left 165 MB resident after everything
of it was freed (measured: 227 MB → 62 MB after a trim), and each generation published while
scanned pages are read left a few MB more. The engine trims after a multi-batch run; the indexer
after reading the notes and after each generation it writes.

Trimming does not help what is fragmented: glibc maps a block of 128 KiB or more on its own, but
each time such a block is freed it raises that threshold to the block's size (up to 32 MiB), and
from then on a page picture (9 MB at 300 dpi), its PNG and the engine's activations are carved
from the threads' heaps, between small blocks that live on. OCR'ing a 100-page scan kept ≈ 430 MB
in those heaps; with the threshold fixed (`map_big_blocks`, which also stops the raising) ≈ 180 MB
(bench/RESULTS.md, "The 100-page scan under 1 GB"). It costs: a block mapped is a block faulted
in again, and torch's activations are such blocks — a 150-page build took twice the CPU — so
it is fixed only while scanned pages are read (`big_blocks_mapped`), then set to glibc's ceiling.
All are no-ops where the C library is not glibc (macOS, Windows, musl): their allocators return
memory in their own ways.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

_libc = None
M_MMAP_THRESHOLD = -3  # mallopt's parameter number (malloc.h)
MAP_AT = 1 << 20  # blocks of 1 MiB or more: mapped on their own, unmapped when freed
CEILING = 32 << 20  # glibc's highest dynamic threshold (64-bit): where it ends up in a long run anyway


def _glibc():
    global _libc
    if _libc is None:
        try:
            import ctypes

            lib = ctypes.CDLL("libc.so.6")
            _libc = lib if hasattr(lib, "malloc_trim") and hasattr(lib, "mallopt") else False
        except (OSError, AttributeError):  # not glibc
            _libc = False
    return _libc


def trim_heap() -> None:
    """Give the pages the heaps hold free back to the operating system."""
    if lib := _glibc():
        lib.malloc_trim(0)


def map_big_blocks(threshold: int = MAP_AT) -> bool:
    """Map every block of `threshold` bytes or more on its own (glibc's threshold fixed: it no
    longer rises). False where that is not glibc's to do."""
    lib = _glibc()
    return bool(lib) and lib.mallopt(M_MMAP_THRESHOLD, int(threshold)) == 1


@contextmanager
def big_blocks_mapped() -> Iterator[bool]:
    """Blocks of 1 MiB or more mapped on their own inside (True where that is done); after it the
    threshold stays at glibc's ceiling, what its raising reaches in a long run."""
    done = map_big_blocks(MAP_AT)
    try:
        yield done
    finally:
        if done:
            map_big_blocks(CEILING)
