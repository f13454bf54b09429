"""Fusion functions compared offline on the real score matrices of each set (issue 12; results
in bench/studies/fusion_study.md). Every question's BM25 score of every chunk and cosine to every
chunk are computed once through the library (bench/lib/matrices.py); each candidate fusion then
ranks the union of both sides' top-`pool` like `Searcher._hybrid` does. Figures: hit@1, hit@5 and
MRR@10 over answer units.

    python -m bench.studies.fusion_study --sets msmarco,pages,seed,facts

The figures that decided the kept setting were re-measured through the search itself
(`python -m bench.retrieval`); this script is for trying ideas quickly. Pseudo-relevance feedback
on the keyword side: `bench/studies/prf_study.py` (same matrices).
"""
from __future__ import annotations

import argparse

import numpy as np

from bench.lib.evalsets import load_set
from bench.lib.matrices import Study, build_study, score, zscore


# -- normalisations -------------------------------------------------------------------------

def minmax(x: np.ndarray) -> np.ndarray:
    lo, hi = float(x.min()), float(x.max())
    if hi - lo < 1e-12:
        return np.ones_like(x) if hi > 0 else np.zeros_like(x)
    return (x - lo) / (hi - lo)


def ideal_bm25(st: Study, i: int) -> float:
    """The BM25 a chunk would get by matching every query term (Lucene BM25: sum of IDFs)."""
    return sum(st.idf(t) for t in set(st.terms[i])) or 1.0


def fusions(st: Study) -> dict:
    def convex(norm_k, norm_d, weight):
        def f(i, kw, de, cand):
            k, d = kw[cand], de[cand]
            if not (k > 0).any():
                return d
            w = weight(i, kw, de, cand) if callable(weight) else weight
            return w * norm_k(i, k, kw) + (1 - w) * norm_d(i, d, de)
        return f

    def rrf(c):
        def f(i, kw, de, cand):
            rk = np.argsort(np.argsort(-kw[cand], kind="stable"), kind="stable")
            rd = np.argsort(np.argsort(-de[cand], kind="stable"), kind="stable")
            return np.where(kw[cand] > 0, 1 / (c + rk + 1), 0) + 1 / (c + rd + 1)
        return f

    mm_u = lambda i, x, full: minmax(x)  # noqa: E731
    mm_all = lambda i, x, full: (x - full.min()) / max(1e-12, full.max() - full.min())  # noqa: E731
    z_u = lambda i, x, full: zscore(x, x)  # noqa: E731
    z_all = lambda i, x, full: zscore(x, full)  # noqa: E731
    kmax = lambda i, x, full: x / max(1e-12, float(full.max()))  # noqa: E731
    kideal = lambda i, x, full: x / ideal_bm25(st, i)  # noqa: E731
    dmean = lambda i, x, full: (x - full.mean()) / max(1e-12, full.max() - full.mean())  # noqa: E731
    out = {}
    for w in (0.3, 0.4, 0.5, 0.6):
        out[f"minmax-union w={w}"] = convex(mm_u, mm_u, w)
    for w in (0.3, 0.5):
        out[f"minmax-collection w={w}"] = convex(mm_all, mm_all, w)
        out[f"z-union w={w}"] = convex(z_u, z_u, w)
        out[f"z-collection w={w}"] = convex(z_all, z_all, w)
        out[f"kmax+dense-mean-max w={w}"] = convex(kmax, dmean, w)
        out[f"k/ideal + dense-mean-max w={w}"] = convex(kideal, dmean, w)
    for c in (10, 60):
        out[f"rrf k={c}"] = rrf(c)
    out.update(adaptive(st, convex, mm_u, z_all))
    out.update(spread_and_lead_rules(convex, mm_u, z_u))
    out.update(both_leads(convex, z_u))
    return out


def _lead_k(kw: np.ndarray) -> float:
    """The kept rule's keyword lead (k1 - k2) / k1 over the candidates (1 when one matches)."""
    k = np.sort(kw)[::-1]
    return float((k[0] - k[1]) / k[0]) if len(k) > 1 and k[0] > 0 else 1.0


def _lead_sigma(x: np.ndarray) -> float:
    """How far the best candidate stands above the second, in units of the candidates' spread."""
    if len(x) < 2:
        return 0.0
    a = np.sort(x)[::-1]
    sd = float(x.std())
    return float((a[0] - a[1]) / sd) if sd > 1e-12 else 0.0


def both_leads(convex, z_u) -> dict:
    """The third round (OCR proxy, bench/lib/ocr_noise.py): the dense side's own lead modulates the
    weight, so a flat, unsure dense side weighs little and a clear dense winner can outvote a
    weak keyword lead."""
    def share(lo, hi):  # keyword's share of the two sides' leads, both in σ units of the union
        def w(i, kw, de, cand):
            gk, gd = _lead_sigma(kw[cand]), _lead_sigma(de[cand])
            return lo + (hi - lo) * (gk / (gk + gd) if gk + gd > 0 else 0.5)
        return w

    def kept_plus_dense(tau, lo=0.25, hi=0.95):  # the kept weight, dense's part scaled by its lead
        def w(i, kw, de, cand):
            wk = lo + (hi - lo) * _lead_k(kw[cand])
            conf = min(1.0, _lead_sigma(de[cand]) / tau)
            return wk / (wk + (1 - wk) * conf) if wk + (1 - wk) * conf > 0 else 1.0
        return w

    def both(lo, hi, tau):  # kept lead minus the dense lead's share, clipped to [lo, hi]
        def w(i, kw, de, cand):
            gd = min(1.0, _lead_sigma(de[cand]) / tau)
            return float(np.clip(lo + (hi - lo) * _lead_k(kw[cand]) * (1 - 0.5 * gd) + 0.5 * (hi - lo) * (1 - gd) * 0.5, lo, hi))
        return w

    out = {}
    for lo, hi in ((0.2, 0.8), (0.25, 0.95), (0.1, 0.9)):
        out[f"z-union w={lo}..{hi} by lead share k/(k+d)"] = convex(z_u, z_u, share(lo, hi))
    for tau in (0.5, 1.0, 2.0):
        out[f"z-union kept w, dense part × min(1, d-lead/{tau}σ)"] = convex(z_u, z_u, kept_plus_dense(tau))
    for tau in (0.5, 1.0):
        out[f"z-union w=0.25..0.95 by both leads τ={tau}"] = convex(z_u, z_u, both(0.25, 0.95, tau))

    def shift(beta, tau):  # the kept weight, moved by ±beta as dense's lead is clear or flat
        def w(i, kw, de, cand):
            cd = min(1.0, _lead_sigma(de[cand]) / tau)
            return float(np.clip(0.25 + 0.70 * _lead_k(kw[cand]) + beta * (0.5 - cd), 0.1, 0.95))
        return w

    for beta in (0.1, 0.2):
        for tau in (0.5, 1.0):
            out[f"z-union kept w ± {beta} by dense lead/{tau}σ"] = convex(z_u, z_u, shift(beta, tau))
    return out


def spread_and_lead_rules(convex, mm_u, z_u) -> dict:
    """The second round: dense cosine in units of its spread over the whole collection (a flat,
    weak dense side then weighs little), and the keyword weight from the keyword lead."""
    def dsig(c):
        return lambda i, x, full: (x - full.mean()) / max(1e-12, float(full.std())) / c

    def lead(lo, hi):  # the kept rule: FusionConfig.weight
        def w(i, kw, de, cand):
            k = np.sort(kw[cand])[::-1]
            g = (k[0] - k[1]) / k[0] if len(k) > 1 and k[0] > 0 else 1.0
            return lo + (hi - lo) * g
        return w

    out = {}
    for c, w in ((2, 0.5), (4, 0.3), (4, 0.5), (6, 0.3), (6, 0.5)):
        out[f"minmax-k + dense/(σ·{c}) w={w}"] = convex(mm_u, dsig(c), w)
    for c, lo, hi in ((4, 0.3, 0.9), (5, 0.2, 1.0), (5, 0.25, 0.9)):
        out[f"minmax-k + dense/(σ·{c}) w={lo}..{hi} by lead"] = convex(mm_u, dsig(c), lead(lo, hi))
    for lo, hi in ((0.2, 0.9), (0.2, 0.95), (0.25, 0.95), (0.3, 0.7), (0.3, 0.95)):
        out[f"z-union w={lo}..{hi} by lead"] = convex(z_u, z_u, lead(lo, hi))
    return out


def adaptive(st: Study, convex, mm_u, z_all) -> dict:
    """Query-adaptive keyword weights from features of the query and the first results."""
    def conf(i, kw, de, cand):  # share of the query's IDF weight the best chunk matches
        return min(1.0, float(kw.max()) / ideal_bm25(st, i))

    def coverage(i, kw, de, cand):  # share of the query's IDF weight that occurs in the notes
        terms = set(st.terms[i])
        tot = sum(st.idf(t) for t in terms)
        return sum(st.idf(t) for t in terms if t in st.idf) / tot if tot else 0.0

    def gap(i, kw, de, cand):  # how far the best chunk stands above the second, per side
        k = np.sort(kw[cand])[::-1]
        return (k[0] - k[1]) / k[0] if len(k) > 1 and k[0] > 0 else 1.0

    out = {}
    for lo, hi in ((0.3, 0.7), (0.2, 0.8), (0.1, 0.9)):
        for name, feat in (("conf", conf), ("coverage", coverage), ("gap", gap)):
            w = (lambda feat, lo, hi: lambda i, kw, de, cand: lo + (hi - lo) * feat(i, kw, de, cand))(feat, lo, hi)
            out[f"minmax-union w={lo}..{hi} by {name}"] = convex(mm_u, mm_u, w)
    return out


# -- keyword-side variants (BM25 parameters, terms) ----------------------------------------

NOUNS = ("NNG", "NNP", "SL", "SH", "NR")


def variant_terms(tok, texts: list[str], how: str) -> list[list[str]]:
    """The tokenizer's terms plus, for `how` = "compound", one joined term per run of nouns
    written together (건강보험 → 건강, 보험, 건강보험); "pairs": also nouns separated by a space."""
    base = tok.tokenize_many(texts)
    if how == "base":
        return base
    out = []
    for text, terms in zip(texts, base):
        extra, prev = [], None
        for t in tok.kiwi.tokenize(text):
            if t.tag in NOUNS and prev is not None and prev.tag in NOUNS and (
                    prev.start + prev.len == t.start or (how == "pairs" and text[prev.start + prev.len:t.start] == " ")):
                extra.append(prev.form.lower() + "_" + t.form.lower())
            prev = t
        out.append(terms + extra)
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default="msmarco,pages,seed,facts")
    ap.add_argument("--only", default="", help="substring filter on fusion names")
    ap.add_argument("--pool", type=int, default=50)
    args = ap.parse_args(argv)
    from bench.lib.library import open_study_library

    for name in args.sets.split(","):
        ev = load_set(name)
        lib, embedder = open_study_library(ev)
        st = build_study(ev, lib)
        embedder.save()
        print(f"\n### {st.name}: {st.K.shape[0]} questions, {st.K.shape[1]} chunks", flush=True)
        base = {"keyword": lambda i, kw, de, cand: np.where(kw[cand] > 0, kw[cand], -1),
                "semantic": lambda i, kw, de, cand: de[cand]}
        for label, fn in {**base, **fusions(st)}.items():
            if args.only and args.only not in label and label not in base:
                continue
            r = score(st, fn, args.pool)
            print(f"| {st.name} | {label} | {r['hit@1']:.3f} | {r['hit@5']:.3f} | {r['mrr']:.3f} |", flush=True)


if __name__ == "__main__":
    main()
