"""Memory a build has freed, given back to the operating system.

glibc keeps what a process frees on its heap for later use; a long build's big, short-lived
steps then stay resident: the engine's activations (a build grew by ~0.3 GB) and the notes'
reading. Reading a 181 MB scanned PDF left 165 MB resident after everything
of it was freed (measured: 227 MB → 62 MB after a trim), and each generation published while
scanned pages are read left a few MB more. The engine trims after a multi-batch run; the indexer
after reading the notes and after each generation it writes. A no-op where the C library has no `malloc_trim` (not glibc).
"""
from __future__ import annotations

_malloc_trim = None


def trim_heap() -> None:
    global _malloc_trim
    if _malloc_trim is None:
        try:
            import ctypes

            _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):  # not glibc
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)
