"""How many of a dev set's questions an e5fast path can move: each question's semantic margin
(its best answer chunk's score minus the best other chunk's) under float32 and under a path,
the questions that flip, and how many sit closer to a tie than the path moves margins.

    python -m bench.studies.path_ties                                  # pages and its OCR'd variants
    python -m bench.studies.path_ties --sets pages-ocr2 --paths int8:int8q,bf16:int8q,int8:torch

A path is `passages:queries` (e5fast.Engine's `path` and `queries`); the reference is float32
for both (torch). Chunks are the project's own (the set's index, built with e5fast:fp32 under
bench/out/path-ties); every vector here is embedded afresh, none is read from a cache.
Issue 22 asks that retrieval stay within ±1 question of before; this shows which sets can hold
that for a quantised path at all (bench/RESULTS.md, issue 22).
"""
from __future__ import annotations

import argparse
import sys

import numpy as np

from bench.lib.evalsets import EvalSet, load_set, unit_of
from bench.lib.library import memo_embedder, open_library
from bench.lib.machine import machine
from bench.lib.paths import OUT
from retriever import KiwiTokenizer
from studyapp.settings import Settings

WORK = OUT / "path-ties"


def answer_masks(ev: EvalSet, chunks) -> list[np.ndarray]:
    """Per question: which chunks are its answer units (`unit_of`, as `bench.retrieval` judges a
    hit). A file's units are the same for every question, so they are found once."""
    files = None
    masks = []
    for question in ev.questions:
        if question.by == "section":
            units = np.array([unit_of(c, question) for c in chunks], dtype=object)
        else:
            if files is None:
                files = np.array([unit_of(c, question) for c in chunks], dtype=object)
            units = files
        rel = np.isin(units, list(question.relevant))
        if not rel.any() or rel.all():
            raise ValueError(f"{ev.name}: question {question.id} has no answer chunk (or only answers)")
        masks.append(rel)
    return masks


def margins(masks: list[np.ndarray], q: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Per question: best answer chunk's score − best other chunk's (> 0: a hit at 1)."""
    scores = q @ p.T
    return np.array([row[rel].max() - row[~rel].max() for row, rel in zip(scores, masks)])


def main(argv: list[str] | None = None) -> None:
    from e5fast import Engine

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="pages,pages-ocr1,pages-ocr2,pages-ocr3")
    ap.add_argument("--paths", default="int8:int8q,bf16:int8q,int8:torch")
    args = ap.parse_args(argv)
    settings = Settings.from_env()
    models = settings.model_dir or OUT / "e5fast-model"
    print(f"# {machine()} — python -m bench.studies.path_ties --sets {args.sets} --paths {args.paths}")
    ref = Engine(models, path="fp32", queries="torch")
    engines = {spec: Engine(models, path=spec.split(":")[0], queries=spec.split(":")[1])
               for spec in args.paths.split(",")}
    builder = memo_embedder("e5fast:fp32", WORK, models)
    print("| set | path | n | hit@1 fp32 → path | flips (miss→hit / hit→miss) | margin shift p50 / p95 | "
          "questions nearer a tie than p95 |")
    print("|---|---|---|---|---|---|---|")
    for spec in args.sets.split(","):
        ev = load_set(spec, WORK)
        lib = open_library(ev, builder, settings, settings.fusion, KiwiTokenizer(), WORK)
        chunks = lib.searcher.index.chunks
        texts = [c.indexed_text for c in chunks]
        questions = [q.text for q in ev.questions]
        masks = answer_masks(ev, chunks)
        m_ref = margins(masks, ref.embed(questions, True), ref.embed(texts, False))
        for name, eng in engines.items():
            m = margins(masks, eng.embed(questions, True), eng.embed(texts, False))
            shift = np.abs(m - m_ref)
            p95 = float(np.percentile(shift, 95))
            up, down = int(((m_ref <= 0) & (m > 0)).sum()), int(((m_ref > 0) & (m <= 0)).sum())
            print(f"| {ev.name} | {name} | {len(m)} | {(m_ref > 0).mean():.3f} → {(m > 0).mean():.3f} | "
                  f"{up} / {down} | {np.median(shift):.4f} / {p95:.4f} | {int((np.abs(m_ref) < p95).sum())} |",
                  flush=True)


if __name__ == "__main__":
    sys.exit(main())
