"""Does the label-free corpus calibration (retriever/calibration.py, issue 21) pick a fusion
range that holds on the real questions? Per set: the real questions' hit@1 / hit@5 / MRR for
keyword, semantic, the default range and every range the calibration may choose; the probes'
own figures; the range the probes chose. Exact: each question's candidates come from
`Searcher.candidates` (the search's own union of both sides' top-50), fused like `_hybrid`.

    python -m bench.studies.calibration_study --sets seed,facts,pages,pages-ocr3
    python -m bench.studies.calibration_study --sets msmarco --limit 2000

Results in bench/studies/calibration_study.md.
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np

from bench.lib.evalsets import load_set, unit_of
from bench.lib.library import open_study_library
from bench.lib.metrics import from_first_ranks
from bench.lib.paths import OUT
from retriever.calibration import RANGES, calibrate
from retriever.fusion import FusionConfig, fuse


EXTRA = ((0.0, 0.95), (0.1, 0.8), (0.25, 0.8), (0.1, 1.0), (0.25, 1.0))  # measured, not offered


class _H:
    def __init__(self, c):
        self.source, self.heading, self.page = c.source, c.heading, c.page


def real_rows(ev, lib, embedder, pool: int = 50) -> list[tuple]:
    """Per question: (candidate chunk ids, keyword scores, cosines, relevant mask per candidate,
    unit per candidate)."""
    s = lib.searcher
    chunks = s.index.chunks
    vecs = embedder.embed_batch([q.text for q in ev.questions], is_query=True)
    rows = []
    for q, qv in zip(ev.questions, vecs):
        qv = (qv / max(1e-12, float(np.linalg.norm(qv)))).astype(np.float32)
        cand, kw, dense, _, _ = s.candidates(" ".join(q.text.split()), qv, pool, exact=True)
        units = [unit_of(_H(chunks[i]), q) for i in cand]
        rows.append((kw, dense, units, set(q.relevant)))
    return rows


def metrics(rows, order_of) -> dict:
    firsts = []
    for kw, dense, units, rel in rows:
        scores = order_of(kw, dense)
        ranked: list[str] = []
        for i in np.argsort(-scores, kind="stable"):
            if scores[i] <= -1e8:
                break
            if units[i] not in ranked:
                ranked.append(units[i])
            if len(ranked) >= 10:
                break
        firsts.append(next((r for r, u in enumerate(ranked) if u in rel), None))
    return from_first_ranks(firsts)


def keyword_order(kw, dense):
    return np.where(kw > 0, kw, -1e9)


def semantic_order(kw, dense):
    return dense.astype(np.float64)


def hybrid_order(lo, hi):
    f = FusionConfig(keyword_weight=lo, max_keyword_weight=hi)
    return lambda kw, dense: fuse(kw, dense, f)


def weaken_dense(lib, sigma: float, seed: int = 21) -> None:
    """A corpus whose dense side is weak, made on purpose: every passage vector moved by Gaussian
    noise of `sigma` per dimension and normalised again (in memory; the index is untouched).
    Probes and real questions then meet the same weak side, as on badly OCR'd pages."""
    index = lib.searcher.index
    rng = np.random.default_rng(seed)
    v = index.vectors + rng.normal(0, sigma, index.vectors.shape).astype(np.float32)
    index.vectors = (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def study(name: str, limit: int | None, seed: int, variants=((1, 0),), sigma: float = 0.0) -> dict:
    ev = load_set(name, OUT).sample(limit, seed)
    lib, embedder = open_study_library(ev)
    if sigma:
        weaken_dense(lib, sigma)
        ev = type(ev)(f"{ev.name} dense+N(0,{sigma})", ev.corpus, ev.questions, ev.notes)
    base = FusionConfig()
    cals = {}
    for cut, keep in variants:
        t0 = time.perf_counter()
        cal = calibrate(lib.searcher, base, cut=cut, keep=keep)
        cals[f"cut{cut} keep{keep}"] = (cal.to_dict() if cal else None, time.perf_counter() - t0)
    cal, cal_s = cals[f"cut{variants[0][0]} keep{variants[0][1]}"]
    rows = real_rows(ev, lib, embedder)
    embedder.save()
    out = {"set": ev.name, "questions": len(rows), "chunks": len(lib.searcher.index.chunks),
           "calibration": cal, "calibration_s": cal_s, "variants": cals,
           "keyword": metrics(rows, keyword_order), "semantic": metrics(rows, semantic_order), "ranges": {}}
    chosen = ((cal["keyword_weight"], cal["max_keyword_weight"]),) if cal else ()
    for lo, hi in dict.fromkeys(((base.keyword_weight, base.top), *chosen, *RANGES, *EXTRA)):
        out["ranges"][f"{lo}..{hi}"] = metrics(rows, hybrid_order(lo, hi))
    return out


def report(r: dict) -> None:
    c = r["calibration"]
    print(f"\n### {r['set']}: {r['questions']} q, {r['chunks']} chunks; calibration {r['calibration_s']:.1f} s")
    for name, (v, secs) in r["variants"].items():
        if v:
            print(f"probes {name} ({v['probes']}, {secs:.1f} s): keyword {v['keyword_hit1']:.3f} semantic "
                  f"{v['semantic_hit1']:.3f} default {v['default_hit1']:.3f} chosen "
                  f"{v['keyword_weight']}..{v['max_keyword_weight']} {v['hybrid_hit1']:.3f}")
    for label in ("keyword", "semantic"):
        m = r[label]
        print(f"| {label} | {m['hit@1']:.3f} | {m['hit@5']:.3f} | {m['mrr']:.3f} |")
    for label, m in r["ranges"].items():
        mark = " ←" if c and label == f"{c['keyword_weight']}..{c['max_keyword_weight']}" else ""
        print(f"| {label}{mark} | {m['hit@1']:.3f} | {m['hit@5']:.3f} | {m['mrr']:.3f} |")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default="seed,facts,pages")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--json-out", default=None)
    ap.add_argument("--dense-noise", type=float, default=0.0, help="weaken the dense side: noise σ per dimension")
    ap.add_argument("--variants", default="1:0", help="probe variants cut:keep,… (rarest terms cut, terms kept)")
    args = ap.parse_args(argv)
    results = []
    for name in args.sets.split(","):
        variants = tuple(tuple(int(x) for x in v.split(":")) for v in args.variants.split(","))
        results.append(study(name, args.limit, args.seed, variants, args.dense_noise))
        report(results[-1])
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as f:
            json.dump(results, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
