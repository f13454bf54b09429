"""Per-question fusion inputs of every dev set, saved once, so fusion rules can be compared
offline on all sets at the same time (issue 21, the OCR'd msmarco sets).

    python -m bench.studies.fusion_rows dump --sets seed,pages,ocr-msm-scan1 [--dense-noise 0.04]
    python -m bench.studies.fusion_rows lost --sets ocr-msm-text,ocr-msm-scan1

`dump` writes bench/out/fusion-rows/<set>[~σ].json: for each real question and each calibration
probe, its candidates (the search's own union of both sides' top-50, dense side exact) with the
keyword side, its Kiwi-BM25 part, the cosines, the candidates' units and the relevant units.
`lost` prints the questions hybrid gets wrong at rank 1 where one side gets right.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from bench.lib.evalsets import load_set, unit_of
from bench.lib.library import memo_embedder, open_library
from bench.lib.paths import OUT
from bench.studies.calibration_study import weaken_dense
from retriever.calibration import make_probes, probe_count, unit_of as probe_unit
from retriever import KiwiTokenizer
from retriever.fusion import FusionConfig
from studyapp.settings import Settings

ROWS = OUT / "fusion-rows"


class _H:
    def __init__(self, c):
        self.source, self.heading, self.page = c.source, c.heading, c.page


def _row(s, text: str, qv: np.ndarray, units_of, rel: list[str]) -> dict:
    qv = (qv / max(1e-12, float(np.linalg.norm(qv)))).astype(np.float32)
    text = " ".join(text.split())
    cand, kw, dense, _, _ = s.candidates(text, qv, 50, exact=True)
    kiwi = s._keyword_parts(text)[1][cand]
    terms = list(dict.fromkeys(s.query_terms(text)))
    per_term = [s.keyword_scores([t])[cand].round(4).tolist() for t in terms]  # each query term's BM25
    df = [int((s.keyword_scores([t]) > 0).sum()) for t in terms]
    return {"q": text, "terms": terms, "per_term": per_term, "df": df, "cand": cand.tolist(), "kw": kw.round(6).tolist(), "kiwi": kiwi.round(6).tolist(),
            "dense": dense.round(6).tolist(), "units": [units_of(int(i)) for i in cand], "rel": rel}


def dump(name: str, sigma: float = 0.0) -> Path:
    ev = load_set(name, OUT)
    settings = Settings.from_env()  # query vectors memoised apart from bench.retrieval's (may run beside it)
    embedder = memo_embedder(settings.embeddings, ROWS, settings.model_dir or OUT / "e5fast-model")
    lib = open_library(ev, embedder, settings, settings.fusion, KiwiTokenizer())
    s = lib.searcher
    if sigma:
        weaken_dense(lib, sigma)
    chunks = s.index.chunks
    vecs = embedder.embed_batch([q.text for q in ev.questions], is_query=True)
    real = [_row(s, q.text, qv, lambda i, q=q: unit_of(_H(chunks[i]), q), list(q.relevant))
            for q, qv in zip(ev.questions, vecs)]
    tok, stats = s.tokenizer, s.index.term_stats()
    probes = make_probes(chunks, tok.spans, tok.split_sentences, stats, probe_count(len(chunks)))
    pv = embedder.embed_batch([p.text for p in probes], is_query=True) if probes else []
    punits = [probe_unit(c) for c in chunks]
    probe_rows = [_row(s, p.text, v, lambda i: punits[i], [p.unit]) for p, v in zip(probes, pv)]
    embedder.save()
    ROWS.mkdir(parents=True, exist_ok=True)
    path = ROWS / f"{name}{f'~{sigma}' if sigma else ''}.json"
    meta = {"set": name, "sigma": sigma, "chunks": len(chunks), "bigram_weight": s.fusion.bigram_weight,
            "fusion": [s.fusion.keyword_weight, s.fusion.max_keyword_weight, s.fusion.source],
            "chunk_pages": [c.page for c in chunks], "chunk_sources": [c.source for c in chunks],
            "chunk_chars": [len(c.text) for c in chunks]}
    path.write_text(json.dumps({"meta": meta, "real": real, "probes": probe_rows}, ensure_ascii=False),
                    encoding="utf-8")
    return path


def load(name: str) -> dict:
    d = json.loads((ROWS / f"{name}.json").read_text(encoding="utf-8"))
    for r in d["real"] + d["probes"]:
        for k in ("kw", "kiwi", "dense"):
            r[k] = np.asarray(r[k], dtype=np.float64)
    return d


def ranked_units(r: dict, scores: np.ndarray, depth: int = 10) -> list[str]:
    out: list[str] = []
    for i in np.argsort(-scores, kind="stable"):
        if scores[i] <= -1e8:
            break
        if r["units"][i] not in out:
            out.append(r["units"][i])
        if len(out) >= depth:
            break
    return out


def first_rank(r: dict, scores: np.ndarray) -> int | None:
    ranked = ranked_units(r, scores)
    return next((k for k, u in enumerate(ranked) if u in r["rel"]), None)


def lost(name: str, f: FusionConfig) -> None:
    from retriever.fusion import fuse, keyword_lead
    d = load(name)
    for r in d["real"]:
        kw_s = np.where(r["kw"] > 0, r["kw"], -1e9)
        ranks = [first_rank(r, kw_s), first_rank(r, r["dense"]), first_rank(r, fuse(r["kw"], r["dense"], f))]
        if ranks[2] != 0 and 0 in ranks[:2]:
            print(f"\n[{name}] {r['q']}  ranks kw/sem/hyb {ranks}  lead {keyword_lead(r['kw']):.3f} w {f.weight(r['kw']):.3f}")
            fused = fuse(r["kw"], r["dense"], f)
            for i in np.argsort(-fused)[:5]:
                print(f"   {'*' if r['units'][i] in r['rel'] else ' '} {r['units'][i][:40]:40s} kw {r['kw'][i]:.3f} "
                      f"kiwi {r['kiwi'][i]:.2f} dense {r['dense'][i]:.4f} fused {fused[i]:.3f}")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=("dump", "lost", "clean-probes"))
    ap.add_argument("--sets", required=True)
    ap.add_argument("--dense-noise", type=float, default=0.0)
    args = ap.parse_args(argv)
    for name in args.sets.split(","):
        if args.what == "clean-probes":
            clean_probes(name)
        elif args.what == "dump":
            print(dump(name, args.dense_noise), flush=True)
        else:
            lost(name, FusionConfig())



def clean_probes(name: str) -> dict:
    """The calibration's probes of an OCR'd set made twice — from the OCR'd chunks (what the
    index sees) and from the text that was drawn on the same pages (what a learner types) —
    and each side's hit@1 on its own unit with both: do probes that copy the page's OCR errors
    hide a side's handicap?"""
    from dataclasses import replace as _replace

    from bench import ocr_sets
    from retriever.calibration import ProbeScores, choose

    ev = load_set(name, OUT)
    settings = Settings.from_env()
    embedder = memo_embedder(settings.embeddings, ROWS, settings.model_dir or OUT / "e5fast-model")
    lib = open_library(ev, embedder, settings, settings.fusion, KiwiTokenizer())
    s = lib.searcher
    chunks, tok, stats = s.index.chunks, s.tokenizer, s.index.term_stats()
    if "-seed-" in name:  # one pseudo-chunk per page: the page's drawn text
        pages = ocr_sets.make_seed()["pages"]
        src = chunks[0].source
        clean = [_replace(chunks[0], text=p["text"], id=f"{src}#{k}", page=k) for k, p in enumerate(pages, 1)]
    else:  # each picture is one passage, its drawn text beside it
        base = ocr_sets.OUT / "msm80" / "text"
        clean = [_replace(c, text=(base / f"{Path(c.source).stem}.txt").read_text(encoding="utf-8")) for c in chunks]
    units = [probe_unit(c) for c in chunks]
    out = {}
    for label, pool in (("ocr", chunks), ("clean", clean)):
        probes = make_probes(pool, tok.spans, tok.split_sentences, stats, probe_count(len(chunks)))
        vecs = embedder.embed_batch([p.text for p in probes], is_query=True)
        rows = []
        for p, qv in zip(probes, vecs):
            qv = (qv / max(1e-12, float(np.linalg.norm(qv)))).astype(np.float32)
            cand, kw, dense, _, _ = s.candidates(p.text, qv, 50, exact=True)
            rows.append(ProbeScores([units[i] for i in cand], kw, dense, probe_unit(pool[p.chunk])))
        got = choose(rows, FusionConfig())
        out[label] = {"probes": len(rows), "keyword": round(got["keyword"], 3), "semantic": round(got["semantic"], 3),
                      "chosen": got["chosen"]}
    embedder.save()
    print(name, json.dumps(out), flush=True)
    return out


if __name__ == "__main__":
    main()
