"""Pseudo-relevance feedback on the keyword side, measured offline on the score matrices of
`bench/lib/matrices.py` (issue 12; results in bench/studies/prf_study.md).

For each question: take m feedback chunks (the top-m by BM25, by the kept hybrid fusion, or by
cosine), weight each of their terms by its mean in-chunk frequency (tf / chunk length) × IDF,
drop the query's own terms, keep the top-t, scale the weights to sum to the number of query
terms (RM3-like: β is the expansion's mass relative to the query), score those terms with the
index's own BM25 over every chunk, and rank with kw' = kw + β · kw_expansion. The kept fusion
rule (`retriever.search.fuse`) and keyword alone then rank as in `bench.lib.matrices.score`.

    python -m bench.studies.prf_study --sets msmarco,pages,seed,facts,pages-ocr3,pages-ocr3s2,...
"""
from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy import sparse

from bench.lib.evalsets import load_set
from bench.lib.paths import OUT
from bench.lib.matrices import Study, build_study, candidates, score, top
from retriever.search import FusionConfig, fuse

KEPT = FusionConfig()


def kept(i, kw, de, cand):
    return fuse(kw[cand], de[cand], KEPT)


def keyword(i, kw, de, cand):
    return np.where(kw[cand] > 0, kw[cand], -1)


class Expander:
    """The index's BM25 term × chunk matrix and each chunk's term frequencies."""

    def __init__(self, lib) -> None:
        idx = lib.searcher.index
        model = idx.bm25._model
        sc = model.scores
        vocab = model.vocab_dict
        n = sc["num_docs"]
        csc = sparse.csc_matrix((sc["data"], sc["indices"], sc["indptr"]), shape=(n, len(sc["indptr"]) - 1))
        self.M = csc.T.tocsr().astype(np.float32)  # vocab × chunks
        self.vocab = vocab
        self.tf = [Counter(t) for t in idx.tokens]
        self.len = [max(1, len(t)) for t in idx.tokens]
        self.idf = idx.term_stats()

    def weights(self, fb: np.ndarray, qterms: list[str], t: int, idf: bool = True) -> list[tuple[str, float]]:
        q = set(qterms)
        acc: Counter = Counter()
        for d in fb:
            for term, c in self.tf[int(d)].items():
                if term not in q:
                    acc[term] += c / self.len[int(d)]
        ranked = sorted(((w * (self.idf(term) if idf else 1.0), term) for term, w in acc.items()), reverse=True)[:t]
        tot = sum(w for w, _ in ranked)
        if tot <= 0:
            return []
        mass = max(1, len(q))
        return [(term, w / tot * mass) for w, term in ranked if term in self.vocab]

    def matrix(self, st: Study, fb_rows: list[np.ndarray], t: int, idf: bool = True) -> np.ndarray:
        rows, cols, vals = [], [], []
        for i, fb in enumerate(fb_rows):
            for term, w in self.weights(fb, st.terms[i], t, idf):
                rows.append(i)
                cols.append(self.vocab[term])
                vals.append(w)
        W = sparse.csr_matrix((vals, (rows, cols)), shape=(len(fb_rows), self.M.shape[0]), dtype=np.float32)
        return (W @ self.M).toarray().astype(np.float32)


def feedback(st: Study, source: str, m: int) -> list[np.ndarray]:
    out = []
    for i in range(st.K.shape[0]):
        kw, de = st.K[i], st.D[i]
        if source == "kw":
            ids = top(kw, m)
            ids = ids[kw[ids] > 0]
        elif source == "dense":
            ids = top(de, m)
        else:
            cand = candidates(kw, de, 50)
            ids = cand[top(kept(i, kw, de, cand), m)]
        out.append(ids)
    return out


GRIDS = {
    # first round: tf × IDF term weights
    "first": [(src, m, t, beta, True) for src in ("kw", "fused", "dense") for m in (3, 5)
              for t in (5, 10) for beta in (0.2, 0.5)],
    # second round: gentler β, more terms, RM3's plain term probability (no IDF) as well
    "gentle": [(src, m, t, beta, idf) for src in ("kw", "fused", "dense") for m in (3, 5)
               for t in (10, 20) for beta in (0.05, 0.1) for idf in (True, False)],
}


def kept_orig_weight(K0: np.ndarray):
    """The kept rule with its keyword weight from the BM25 lead before expansion."""
    def f(i, kw, de, cand):
        k, d = kw[cand], de[cand]
        if not (k > 0).any():
            return d
        w = KEPT.weight(K0[i][cand])
        z = lambda x: (x - x.mean()) / x.std() if x.std() > 1e-12 else np.zeros_like(x)  # noqa: E731
        return w * z(k) + (1 - w) * z(d)
    return f


def run(st: Study, ex: Expander, grid) -> dict:
    res = {"none": {"kept": score(st, kept), "keyword": score(st, keyword)}}
    origw = kept_orig_weight(st.K)
    fbs: dict = {}
    exps: dict = {}
    for src, m, t, beta, idf in grid:
        if (src, m) not in fbs:
            fbs[(src, m)] = feedback(st, src, m)
        if (src, m, t, idf) not in exps:
            exps[(src, m, t, idf)] = ex.matrix(st, fbs[(src, m)], t, idf)
        st2 = replace(st, K=st.K + beta * exps[(src, m, t, idf)])
        res[f"{src} m={m} t={t} b={beta}{'' if idf else ' rm3'}"] = {
            "kept": score(st2, kept), "keyword": score(st2, keyword), "kept-origw": score(st2, origw)}
    return res


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default="msmarco,pages,seed,facts")
    ap.add_argument("--grid", default="first", choices=sorted(GRIDS))
    ap.add_argument("--json-out", default=str(OUT / "prf.json"))
    args = ap.parse_args(argv)
    from bench.lib.library import open_study_library

    out = json.loads(Path(args.json_out).read_text()) if Path(args.json_out).exists() else {}
    for name in args.sets.split(","):
        ev = load_set(name)
        lib, embedder = open_study_library(ev)
        st = build_study(ev, lib)
        embedder.save()
        out[name] = run(st, Expander(lib), GRIDS[args.grid])
        Path(args.json_out).write_text(json.dumps(out, indent=1))
        for label, r in out[name].items():
            print(f"| {name} | {label} | {r['keyword']['hit@1']:.3f} {r['keyword']['hit@5']:.3f} "
                  f"| {r['kept']['hit@1']:.4f} {r['kept']['hit@5']:.3f} "
                  f"| {r.get('kept-origw', r['kept'])['hit@1']:.4f} |", flush=True)


if __name__ == "__main__":
    main()
