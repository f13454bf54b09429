"""Spacing-insensitive character bigrams as a second keyword field (issue 12, OCR text), measured
offline on the matrices of `bench/lib/matrices.py` (results in bench/studies/ngram_study.md).

Each chunk and question is reduced to its letters and digits with every space and mark removed
(so "데이 터베이스" and "데이터베이스" read the same; the study used the chunk body,
the library indexes `indexed_text`, heading included), cut into overlapping character bigrams and
scored with BM25 (k1 1.2, b 0.75) → C. Variants mix C into the keyword side
(K' = K/max K + λ·C/max C per question) and rank with keyword alone and with the kept fusion rule.

    STUDY_EMBEDDINGS=e5fast python -m bench.studies.ngram_study --sets pages,pages-ocr3,pages-ocr4,seed,msmarco
"""
from __future__ import annotations

import argparse

import numpy as np

from bench.lib.evalsets import load_set
from bench.lib.matrices import build_study, keyword_matrix, score, zscore
from retriever.search import FusionConfig, fuse
from retriever.spacing import char_bigrams as bigrams

KEPT = FusionConfig(bigram_weight=0)  # the study mixes the bigram field itself


def per_query_max(x: np.ndarray) -> np.ndarray:
    m = x.max(axis=1, keepdims=True)
    return x / np.where(m > 0, m, 1.0)


def lead_from_k(k: np.ndarray, mixed: np.ndarray, dense: np.ndarray) -> np.ndarray:
    if not (mixed > 0).any():
        return dense
    w = KEPT.weight(k) if (k > 0).any() else KEPT.keyword_weight
    return w * zscore(mixed, mixed) + (1.0 - w) * zscore(dense, dense)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default="pages,pages-ocr3,pages-ocr4,seed")
    ap.add_argument("--lambdas", default="0.25,0.5,1.0")
    args = ap.parse_args(argv)
    from bench.lib.library import open_study_library

    lams = [float(x) for x in args.lambdas.split(",")]
    for name in args.sets.split(","):
        ev = load_set(name)
        lib, embedder = open_study_library(ev)
        st = build_study(ev, lib)
        embedder.save()
        chunks = lib.searcher.index.chunks
        C, _ = keyword_matrix([bigrams(c.text) for c in chunks], [bigrams(q.text) for q in ev.questions])
        K = st.K
        rows = {"keyword K": K, "bigram C": C}
        for lam in lams:
            rows[f"K+{lam}C"] = per_query_max(K) + lam * per_query_max(C)
        print(f"\n### {st.name}: {K.shape[0]} questions, {K.shape[1]} chunks", flush=True)
        sem = score(st, lambda i, kw, de, cand: de[cand])
        print(f"| {st.name} | semantic | {sem['hit@1']:.3f} | {sem['hit@5']:.3f} | {sem['mrr']:.3f} |")
        for label, M in rows.items():
            st.K = M
            kw = score(st, lambda i, kw, de, cand: np.where(kw[cand] > 0, kw[cand], -1))
            hy = score(st, lambda i, kw, de, cand: fuse(kw[cand], de[cand], KEPT))
            # the same mixed keyword signal, its weight still from BM25's own lead
            hb = score(st, lambda i, kw, de, cand: lead_from_k(K[i][cand], kw[cand], de[cand]))
            print(f"| {st.name} | {label} | kw {kw['hit@1']:.4f}/{kw['hit@5']:.3f} | "
                  f"hybrid {hy['hit@1']:.4f}/{hy['hit@5']:.3f}/{hy['mrr']:.3f} | "
                  f"K-lead {hb['hit@1']:.4f}/{hb['hit@5']:.3f}/{hb['mrr']:.3f} |", flush=True)
        st.K = K


if __name__ == "__main__":
    main()
