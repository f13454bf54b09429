"""A module's source hash: the part of a setting that makes changed code redo its work (an index
re-chunked or re-tokenised, kept terms computed again)."""
from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from types import ModuleType


@functools.lru_cache(maxsize=None)
def source_hash(module: ModuleType) -> str:
    return hashlib.sha256(Path(module.__file__).read_bytes()).hexdigest()[:16]
