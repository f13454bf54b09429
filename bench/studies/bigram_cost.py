"""What the spacing-free bigram keyword field costs: building it, its size, and per-query
latency of keyword and hybrid search with and without it (same process, same index, distinct
questions, the query-vector cache cleared before every query). Results in bench/studies/bigram_cost.md.

    python -m bench.studies.bigram_cost [--index bench/out/beir/msmarco-ko/index-e5fast] [--queries 400]
"""
from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

from bench.lib.machine import machine, pct
from bench.lib.paths import MSMARCO, OUT
from retriever import KiwiTokenizer, Searcher, make_embedder
from retriever.search import FusionConfig
from retriever.store import build_bigram_bm25, load_index
from studyapp.settings import Settings

def folder_mib(p: Path) -> float:
    return sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) / 2**20


def timed(s: Searcher, qs: list[str], mode: str) -> list[float]:
    ts = []
    for q in qs:
        s._qcache.clear()
        t = time.perf_counter()
        s.search(q, mode=mode, k=5)
        ts.append((time.perf_counter() - t) * 1000)
    return ts


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", default=str(OUT / "beir/msmarco-ko/index-e5fast"))
    ap.add_argument("--queries", type=int, default=400)
    args = ap.parse_args(argv)
    settings = Settings.from_env()
    idx = load_index(Path(args.index))
    t = time.perf_counter()
    bg = build_bigram_bm25(idx.chunks)
    build_s = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        bg.save(Path(tmp) / "b")
        bg_mib = folder_mib(Path(tmp) / "b")
    kiwi_mib = folder_mib(idx.path / "bm25")
    rows = [json.loads(line) for line in open(MSMARCO / "queries.jsonl", encoding="utf-8")]
    qs = [r["text"] for r in random.Random(7).sample(rows, 2 * args.queries + 6)]
    emb = make_embedder(settings.embeddings, cache_dir=settings.models_dir)
    tok = KiwiTokenizer()
    on = Searcher(idx, emb, tok, FusionConfig())
    off = Searcher(idx, emb, tok, FusionConfig(bigram_weight=0))
    for s in (on, off):  # warm: models, the memoised bigram field
        for q in qs[:3]:
            s.search(q, mode="hybrid")
    print(f"- {machine()}; {len(idx.chunks)} chunks; {args.queries} distinct questions per mode, alternating with / without bigrams")
    print(f"- bigram field: built in {build_s:.2f} s, {bg_mib:.1f} MiB on disk (Kiwi BM25: {kiwi_mib:.1f} MiB)")
    for mode, part in (("keyword", qs[3:3 + args.queries]), ("hybrid", qs[3 + args.queries:3 + 2 * args.queries])):
        t_on, t_off = [], []
        for i, q in enumerate(part):  # alternate per question: each question is searched once
            (t_on if i % 2 == 0 else t_off).extend(timed(on if i % 2 == 0 else off, [q], mode))
        print(f"- {mode}: with bigrams p50 **{pct(t_on, 50):.2f} ms** / p95 {pct(t_on, 95):.2f}; "
              f"Kiwi only p50 {pct(t_off, 50):.2f} / p95 {pct(t_off, 95):.2f} "
              f"(ratio p50 {pct(t_on, 50) / pct(t_off, 50):.2f}×)")


if __name__ == "__main__":
    main()
