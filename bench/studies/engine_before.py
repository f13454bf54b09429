"""Retrieval through the embedding engine as it was before issue 22 and through today's, in one
process: for each set the same chunks, keyword side and fusion; only the vectors differ.

    python -m bench.studies.engine_before                  # seed, facts, pages, pages-ocr1..3, msmarco
    python -m bench.studies.engine_before --sets pages --engines before,bf16:int8q,fp32:torch
    python -m bench.studies.engine_before --latency     # hybrid latency on the seed notes, before vs auto

Engines: `before` = `retriever/e5fast` at `--ref` (the commit before issue 22's first change),
imported from `git archive` — bf16 passages on a CPU with bf16 (else float32), questions through
its int8 ONNX Runtime graph; `P:Q` = today's `e5fast.Engine(path=P, queries=Q)`; `auto` = today's
choice on this CPU. Each engine has its own index folder per set under bench/out/engine-before
(vectors embedded there; an OCR'd set's recognised pages are copied from its bench/out/ocr index,
never read again). Printed per set and engine: semantic and hybrid hit@1 / hit@5 in questions,
the difference from the first engine, and how many questions' first answer rank changed.
`--latency`: the seed notes' hybrid search with each engine embedding the question (the index
built by the first; interleaved rounds, `bench.speed.compare_embedders`) — whether a question
costs what it did before the issue on this machine.
"""
from __future__ import annotations

import argparse
import importlib
import json
import shutil
import subprocess
import sys
import tarfile
from io import BytesIO
from pathlib import Path

from bench.lib.evalsets import EvalSet, load_set
from bench.lib.library import QueryMemo, engine_paths, index_dir
from bench.lib.machine import machine
from bench.lib.paths import OUT, ROOT
from bench.retrieval import evaluate
from retriever import Embedder, KiwiTokenizer, NotesLibrary
from studyapp.settings import Settings

WORK = OUT / "engine-before"
REF = "53c5183"  # main just before ea0c954 "e5fast becomes a package of its own" (issue 22's first commit)
SETS = "seed,facts,pages,pages-ocr1,pages-ocr2,pages-ocr3,msmarco"
MODES = ("semantic", "hybrid")


def before_embedder(ref: str, models: Path) -> Embedder:
    """The engine of commit `ref` (`retriever/e5fast`), as a package `e5before_<ref>` beside this
    tree's retriever (its one import from outside the package, `..embeddings`, pointed there)."""
    name = f"e5before_{ref}"
    root = WORK / "code" / ref
    pkg = root / name
    if not pkg.is_dir():
        tar = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "retriever/e5fast"],
                             check=True, capture_output=True).stdout
        with tarfile.open(fileobj=BytesIO(tar)) as tf:
            tf.extractall(root, filter="data")
        (root / "retriever" / "e5fast").rename(pkg)
        fast = pkg / "fast.py"
        fast.write_text(fast.read_text(encoding="utf-8").replace("from ..embeddings import",
                                                                 "from retriever.embeddings import"),
                        encoding="utf-8")
    sys.path.insert(0, str(root))
    return importlib.import_module(f"{name}.fast").FastE5Embeddings(cache_dir=models / "before")


def make(spec: str, ref: str, models: Path) -> tuple[str, QueryMemo]:
    """(folder tag, embedder) for an engine spec; question vectors kept in memory only."""
    from retriever.embeddings import FastE5Embeddings

    if spec == "before":
        return f"before-{ref}", QueryMemo(before_embedder(ref, models))
    if spec == "auto":
        inner = FastE5Embeddings(models)
        passages, queries = engine_paths(inner)
        return f"{passages}-{queries}", QueryMemo(inner)
    passages, _, queries = spec.partition(":")
    return f"{passages}-{queries or 'auto'}", QueryMemo(FastE5Embeddings(models, path=passages,
                                                                         queries=queries or "auto"))


def open_set(ev: EvalSet, emb: Embedder, folder: Path, settings: Settings, tokenizer) -> NotesLibrary:
    """The set's library in `folder`, built there once with `emb` (an OCR'd set starts from a copy
    of its bench/out/ocr index, so its pages keep the text they were recognised as)."""
    if ev.name.startswith("ocr-") and not folder.exists():
        src = index_dir(ev, emb, OUT)
        if not src.is_dir():
            raise SystemExit(f"{ev.name}: no OCR'd index at {src} (python -m bench.retrieval --sets {ev.name})")
        shutil.copytree(src, folder)
        fresh = True
    else:
        fresh = False
    lib = NotesLibrary(ev.corpus, folder, emb, tokenizer, chunker=settings.chunker, fusion=settings.fusion)
    if fresh or not lib.open_current():
        rep = lib.refresh(rebuild=fresh)
        print(f"  [{ev.name}] {folder.parent.name}: {rep.chunks} chunks, embedded {rep.embedded} "
              f"({rep.seconds:.0f} s)", file=sys.stderr, flush=True)
    return lib


def measure(ev: EvalSet, lib: NotesLibrary, depth: int) -> dict:
    out = {}
    for mode in MODES:
        res = evaluate(lib, ev, mode, "max", depth)
        n = res["n"]
        out[mode] = {"hit@1": round(res["hit@1"] * n), "hit@5": round(res["hit@5"] * n),
                     "mrr@10": res["mrr@10"], "ranks": res["ranks"]}
    return out


def first_changed(a: list, b: list) -> int:
    """Questions answered first (rank 1) in one run and not in the other."""
    return sum((x == 1) != (y == 1) for x, y in zip(a, b))


def row(ev: EvalSet, tag: str, fig: dict, base: dict | None) -> str:
    n = len(ev.questions)
    cells = []
    for mode in MODES:
        f = fig[mode]
        cells.append(f"{f['hit@1']} / {f['hit@5']}")
    for mode in MODES:
        if base is None:
            cells.append("–")
            continue
        f, b = fig[mode], base[mode]
        moved = sum(x != y for x, y in zip(f["ranks"], b["ranks"]))
        first = first_changed(f["ranks"], b["ranks"])
        cells.append(f"{f['hit@1'] - b['hit@1']:+d} / {f['hit@5'] - b['hit@5']:+d} ({first} · {moved})")
    return f"| {ev.name} | {n} | {tag} | " + " | ".join(cells) + " |"


def against(figures: dict, ref: str) -> list[str]:
    """Every engine against `ref` (float32: the model's own figures) on every set measured with
    both: the difference in questions and the questions whose first answer changed, and the
    totals over the sets (msmarco-ko apart: its 6,980 questions would drown the small sets)."""
    lines = [f"| set | engine | Δ semantic hit@1 / hit@5 vs {ref} (first answer changed) | Δ hybrid |",
             "|---|---|---|---|"]
    totals: dict[str, list[int]] = {}
    for name, by_tag in figures.items():
        if ref not in by_tag:
            continue
        for tag, fig in by_tag.items():
            if tag == ref:
                continue
            cells = []
            for k, mode in enumerate(MODES):
                f, b = fig[mode], by_tag[ref][mode]
                first = first_changed(f["ranks"], b["ranks"])
                d1, d5 = f["hit@1"] - b["hit@1"], f["hit@5"] - b["hit@5"]
                cells.append(f"{d1:+d} / {d5:+d} ({first})")
                if not name.startswith("msmarco"):
                    t = totals.setdefault(tag, [0] * 6)
                    t[3 * k:3 * k + 3] = [t[3 * k] + abs(d1), t[3 * k + 1] + abs(d5), t[3 * k + 2] + first]
            lines.append(f"| {name} | {tag} | " + " | ".join(cells) + " |")
    for tag, t in totals.items():
        lines.append(f"| all but msmarco-ko, Σ abs | {tag} | {t[0]} / {t[1]} ({t[2]}) | {t[3]} / {t[4]} ({t[5]}) |")
    return lines


def latency(engines: list[tuple[str, QueryMemo]], settings: Settings, tokenizer) -> None:
    """Hybrid p50 on the seed notes per engine, same index, one process, interleaved rounds."""
    from bench.lib.machine import pace
    from bench.speed import compare_embedders, questions

    ev = load_set("seed")
    tag, first = engines[0]
    lib = open_set(ev, first, WORK / tag / ev.name, settings, tokenizer)
    before = pace()
    lines = compare_embedders(lib, tokenizer, questions(), {t: e.inner for t, e in engines}, tag, rounds=5)
    print("\n".join(lines) + f"\n- machine pace {before:.1f} µs before, {pace():.1f} µs after")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default=SETS)
    ap.add_argument("--engines", default="before,auto,bf16:int8q,int8:int8q,fp32:torch",
                    help="the first is the one the others are compared with")
    ap.add_argument("--ref", default=REF, help="the commit whose engine `before` runs")
    ap.add_argument("--depth", type=int, default=20)
    ap.add_argument("--json-out", type=Path, default=WORK / "figures.json")
    ap.add_argument("--against", default="fp32-torch", help="the engine tag the second table compares with")
    ap.add_argument("--report", action="store_true", help="only print the tables of the saved figures")
    ap.add_argument("--latency", action="store_true", help="hybrid latency per engine on the seed notes")
    args = ap.parse_args(argv)
    if args.report:
        print("\n".join(against(json.loads(args.json_out.read_text()), args.against)))
        return
    settings = Settings.from_env()
    models = settings.model_dir or OUT / "e5fast-model"
    tokenizer = KiwiTokenizer()
    what = "--latency" if args.latency else f"--sets {args.sets}"
    print(f"# {machine()} — python -m bench.studies.engine_before {what} --engines {args.engines}")
    engines = [make(spec, args.ref, models) for spec in args.engines.split(",")]
    if args.latency:
        return latency(engines, settings, tokenizer)
    print("| set | n | engine | semantic hit@1 / hit@5 | hybrid hit@1 / hit@5 | Δ semantic vs "
          f"{engines[0][0]} (first answer changed · any rank) | Δ hybrid |")
    print("|---|---|---|---|---|---|---|", flush=True)
    figures = json.loads(args.json_out.read_text()) if args.json_out.exists() else {}
    for spec in args.sets.split(","):
        ev = load_set(spec)
        base = None
        for tag, emb in engines:
            lib = open_set(ev, emb, WORK / tag / ev.name, settings, tokenizer)
            fig = measure(ev, lib, args.depth)
            figures.setdefault(ev.name, {})[tag] = fig
            print(row(ev, tag, fig, base), flush=True)
            base = base or fig
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(figures), encoding="utf-8")
    print("\n" + "\n".join(against(figures, args.against)))


if __name__ == "__main__":
    main()
