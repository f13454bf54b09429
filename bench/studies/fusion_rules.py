"""Fusion rules compared offline on every dumped set (bench/studies/fusion_rows.py), issue 21.

    python -m bench.studies.fusion_rules [--sets a,b,…] [--rules current,default,…]

Per set: keyword, semantic, then each rule's hit@1 / hit@5 / MRR@10 over answer units, with
✗ where hybrid hit@1 < the better side's or hit@5 < the better side's − 0.005.
Results and what each rule changes: bench/studies/fusion_rules.md.
"""
from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np

from bench.lib.metrics import from_first_ranks
from bench.studies.fusion_rows import ROWS, first_rank, load
from retriever.calibration import ProbeScores, choose
from retriever.fusion import FusionConfig, fuse, keyword_lead, zscore


def metrics(rows, scorer) -> dict:
    return from_first_ranks([first_rank(r, scorer(r)) for r in rows])


def kw_only(r):
    return np.where(r["kw"] > 0, r["kw"], -1e9)


def dense_only(r):
    return r["dense"]


def calibrated(d: dict, base: FusionConfig = FusionConfig()) -> FusionConfig:
    """The range the shipped calibration chooses from this set's probes."""
    rows = [ProbeScores(p["units"], p["kw"], p["dense"], p["rel"][0]) for p in d["probes"]]
    if len(rows) < 15:
        return base
    lo, hi = choose(rows, base)["chosen"]
    return replace(base, keyword_weight=lo, max_keyword_weight=hi)


# -- rules: (set data) -> scorer(row) -> fused scores ----------------------------------------
def r_default(d):
    f = FusionConfig()
    return lambda r: fuse(r["kw"], r["dense"], f)


def r_current(d):
    f = calibrated(d)
    return lambda r: fuse(r["kw"], r["dense"], f)


def unit_lead(r, x) -> float:
    """keyword_lead over units (the best chunk of each unit), not chunks."""
    best: dict[str, float] = {}
    for u, v in zip(r["units"], x):
        best[u] = max(best.get(u, 0.0), float(v))
    return keyword_lead(np.array(list(best.values())))


def r_unitlead(d):
    f = calibrated(d)

    def score(r):
        if not (r["kw"] > 0).any():
            return r["dense"]
        w = f.keyword_weight + (f.top - f.keyword_weight) * unit_lead(r, r["kw"])
        return w * zscore(r["kw"]) + (1 - w) * zscore(r["dense"])
    return score


def lead_rule(lead_of, cal=True):
    def rule(d):
        f = calibrated(d) if cal else FusionConfig()

        def score(r):
            if not (r["kw"] > 0).any():
                return r["dense"]
            w = f.keyword_weight + (f.top - f.keyword_weight) * lead_of(r)
            return w * zscore(r["kw"]) + (1 - w) * zscore(r["dense"])
        return score
    return rule


def holds_rarest(r) -> bool:
    """Whether the keyword side's best candidate holds the rarest query term any candidate holds."""
    if not r.get("terms"):
        return True
    pt = np.asarray(r["per_term"], dtype=np.float64)  # terms × candidates
    held = [(df, k) for k, df in enumerate(r["df"]) if df > 0 and (pt[k] > 0).any()]
    if not held:
        return True
    rarest = min(held)[1]
    return bool(pt[rarest, int(np.argmax(r["kw"]))] > 0)


def guarded(lead_of):
    return lambda r: lead_of(r) if holds_rarest(r) else 0.0


def kiwi_lead(r):
    return keyword_lead(r["kiwi"]) if (r["kiwi"] > 0).any() else 0.0


def unit_best(r, x) -> dict:
    best: dict[str, float] = {}
    for u, v in zip(r["units"], x):
        best[u] = max(best.get(u, -1e9), float(v))
    return best


def dense_unit_lead(r) -> float:
    """The dense side's best unit's lead over its second, in standard deviations of the candidates' cosines."""
    b = sorted(unit_best(r, r["dense"]).values(), reverse=True)
    sd = float(np.std(r["dense"]))
    return (b[0] - b[1]) / sd if len(b) > 1 and sd > 1e-12 else 0.0


def disagree(lead_of, tau=None):
    """No lead ramp when the two sides' best units differ (and the dense best leads by > tau σ)."""
    def lead(r):
        kb, db = unit_best(r, r["kw"]), unit_best(r, r["dense"])
        if max(kb, key=kb.get) != max(db, key=db.get) and (tau is None or dense_unit_lead(r) > tau):
            return 0.0
        return lead_of(r)
    return lead


def kw_lead(r):
    return keyword_lead(r["kw"])


RULES = {  # name: what it changes (each keeps the corpus's calibrated range unless it says so)
    "default": r_default,  # the range 0.25..0.95 for every corpus (before issue 21)
    "current": r_current,  # main: the calibrated range, lead over chunks of the keyword side
    "unitlead": r_unitlead,  # the lead over answer units (a page's best chunk), not chunks
    "kiwilead": lead_rule(kiwi_lead),  # the lead from Kiwi-term BM25 alone, not the bigram field
    "kiwiunitlead": lead_rule(lambda r: unit_lead(r, r["kiwi"]) if (r["kiwi"] > 0).any() else 0.0),
    "rareguard": lead_rule(guarded(kw_lead)),  # no lead when the winner lacks the rarest query term held
    "kiwi+rare": lead_rule(guarded(kiwi_lead)),
    "disagree": lead_rule(disagree(kw_lead)),  # no lead when the sides' best units differ
    "disagree-nocal": lead_rule(disagree(kw_lead), cal=False),  # same, default range
    "disagree.25": lead_rule(disagree(kw_lead, 0.25)),  # … and the dense best leads by > 0.25 σ
    "disagree.5": lead_rule(disagree(kw_lead, 0.5)),
    "kiwi+disagree.5": lead_rule(disagree(kiwi_lead, 0.5)),
    "abstain.1": lead_rule(lambda r: 1.0 if dense_unit_lead(r) < 0.1 else kw_lead(r)),  # flat dense: keyword decides
    "abstain.25": lead_rule(lambda r: 1.0 if dense_unit_lead(r) < 0.25 else kw_lead(r)),
}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default=None, help="default: every dumped set")
    ap.add_argument("--rules", default=",".join(RULES))
    args = ap.parse_args(argv)
    names = args.sets.split(",") if args.sets else sorted(p.stem for p in Path(ROWS).glob("*.json"))
    rules = args.rules.split(",")
    print("| set | keyword | semantic | " + " | ".join(rules) + " |")
    print("|---|---|---|" + "---|" * len(rules))
    fails = {r: 0 for r in rules}
    for name in names:
        d = load(name)
        kw, de = metrics(d["real"], kw_only), metrics(d["real"], dense_only)
        b1, b5 = max(kw["hit@1"], de["hit@1"]), max(kw["hit@5"], de["hit@5"])
        cells = []
        for rule in rules:
            m = metrics(d["real"], RULES[rule](d))
            bad = m["hit@1"] < b1 - 1e-9 or m["hit@5"] < b5 - 0.005 - 1e-9
            fails[rule] += bad
            cells.append(f"{m['hit@1']:.3f}/{m['hit@5']:.3f}/{m['mrr']:.3f}{' ✗' if bad else ''}")
        fmt = lambda m: f"{m['hit@1']:.3f}/{m['hit@5']:.3f}/{m['mrr']:.3f}"
        print(f"| {name} ({len(d['real'])}) | {fmt(kw)} | {fmt(de)} | " + " | ".join(cells) + " |", flush=True)
    print("| misses | | | " + " | ".join(str(fails[r]) for r in rules) + " |")



def coverage(r, n_chunks: int) -> float:
    """The share of the query's term weight (BM25 IDF, a term no chunk holds counted as held by
    half a chunk) that the keyword side can see at all."""
    if not r.get("terms"):
        return 1.0
    idf = [np.log((n_chunks - df + 0.5) / (df + 0.5) + 1.0) for df in r["df"]]
    seen = sum(i for i, df in zip(idf, r["df"]) if df > 0)
    return seen / sum(idf) if sum(idf) > 0 else 1.0


def r_coverage(d):
    f, n = calibrated(d), d["meta"]["chunks"]

    def score(r):
        if not (r["kw"] > 0).any():
            return r["dense"]
        w = f.weight(r["kw"]) * coverage(r, n)
        return w * zscore(r["kw"]) + (1 - w) * zscore(r["dense"])
    return score


RULES["coverage"] = r_coverage


if __name__ == "__main__":
    main()
