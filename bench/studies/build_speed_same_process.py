"""A build's time with and without the issue 22 memory changes, in one process, alternating.

    python -m bench.studies.build_speed_same_process --pages 150 --rounds 2

"new" is the code as it is; "old" puts back what the memory changes took away: the passage
runner stays loaded after a build (`release_passages` does nothing) and the writer builds both
keyword fields again (`write_generation` given no fields). Every build starts with the passage
runner loaded (its reload after a release is timed apart), indexes the same `make_pages` folder
into a fresh index, and its wall and CPU seconds are kept; the vectors of every build are
compared with the first's. Results: bench/results/engine.md ("Issue 22 — a 700-page build's peak RSS").
"""
from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.lib.texts import make_pages


def _build(emb, tok, pages: Path, index: Path, old: bool) -> tuple[float, float, np.ndarray]:
    import retriever.indexer as ri
    from retriever import NotesLibrary
    from retriever.store import current_generation

    real_write = ri.write_generation
    if old:
        ri.write_generation = lambda *a, bm25=None, bigram=None, **k: real_write(*a, **k)
        emb.release_passages = lambda: None
    try:
        t, c = time.perf_counter(), time.process_time()
        NotesLibrary(pages, index, emb, tok).refresh()
        wall, cpu = time.perf_counter() - t, time.process_time() - c
    finally:
        ri.write_generation = real_write
        emb.__dict__.pop("release_passages", None)
    return wall, cpu, np.load(current_generation(index) / "vectors.npy")


def main() -> None:
    from bench.lib import engine_setup as be
    from retriever import KiwiTokenizer

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=150)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="build-speed-"))
    try:
        make_pages(work / "pages", args.pages)
        tok, emb = KiwiTokenizer(), be.fast()
        tok("워밍업")
        emb.embed_batch(["워밍업"], is_query=True)
        runs: dict[str, list[tuple[float, float]]] = {"new": [], "old": []}
        first, same, reload = None, True, []
        for r in range(args.rounds):
            for kind in ("new", "old") if r % 2 == 0 else ("old", "new"):
                t = time.perf_counter()
                emb.prepare_passages()  # loaded before every build (after "new", it was released)
                reload.append(time.perf_counter() - t)
                index = work / f"index-{kind}-{r}"
                wall, cpu, vec = _build(emb, tok, work / "pages", index, kind == "old")
                runs[kind].append((wall, cpu))
                first = vec if first is None else first
                same = same and vec.shape == first.shape and bool(np.array_equal(vec, first))
                shutil.rmtree(index, ignore_errors=True)
                print(f"  {kind} round {r}: {wall:.1f} s wall, {cpu:.1f} s CPU (load {os.getloadavg()[0]:.2f})",
                      flush=True)
        w = {k: sum(x[0] for x in v) for k, v in runs.items()}
        c = {k: sum(x[1] for x in v) for k, v in runs.items()}
        print(f"- {args.pages} pages, {args.rounds} rounds each: new/old wall {w['new'] / w['old']:.3f}, CPU "
              f"{c['new'] / c['old']:.3f}; vectors identical in every build: {same}; passage runner "
              f"loaded before each build: {', '.join(f'{x:.2f}' for x in reload)} s (the first load, then "
              f"after new, old, …)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
