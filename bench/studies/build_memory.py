"""Peak RSS of a whole e5fast build process, by phase (issue 22: ≤ 1 GB for 700 pages).

    python -m bench.studies.build_memory --pages 700            # the path choice cached
    python -m bench.studies.build_memory --pages 700 --first    # the choice measured first (a new CPU)

Writes `--pages` pages of ~820 chars (MS MARCO-ko, `bench/lib/texts.make_pages`) to a temporary
folder and runs `NotesLibrary.refresh()` on them in a fresh process, with the model folder of
`python -m bench.engine` (bench/out/e5fast-cache). A thread samples VmRSS every 20 ms and keeps
the peak of each phase: import (Kiwi, the libraries), load (the engine: torch, the chosen path,
and with --first the measurement of every path, which runs in a child process of its own —
its peak is reported apart), build (chunks, Kiwi tokens), embed, calibrate (the probes
searched; `probes`: their query vectors, the query path loaded), write (FAISS, BM25, the
files), after (the rest). The whole build process's VmHWM is the figure.
Results: bench/results/engine.md ("Issue 22 — a 700-page build's peak RSS").
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.lib.paths import ROOT
from bench.lib.texts import make_pages

_CHILD = """
import json, os, resource, sys, threading, time
from pathlib import Path
from bench.lib import engine_setup as be
from retriever import KiwiTokenizer, NotesLibrary
pages, index, first = sys.argv[1], sys.argv[2], sys.argv[3] == "first"
phase, peaks, stop = ["import"], {}, threading.Event()
def status(key):
    return next(int(l.split()[1]) // 1024 for l in open("/proc/self/status") if l.startswith(key + ":"))
def sample():
    while not stop.is_set():
        peaks[phase[0]] = max(peaks.get(phase[0], 0), status("VmRSS"))
        time.sleep(0.02)
threading.Thread(target=sample, daemon=True).start()
tok = KiwiTokenizer(); tok("워밍업")
emb = be.fast()
if first:
    (emb.engine.folder() / "choices.json").unlink(missing_ok=True)
phase[0] = "load"
emb.embed_passages(["워밍업"])
phase[0] = "build"
embed = emb.embed_passages
spent = [0.0]
def timed(*a, **k):
    phase[0] = "embed"; t = time.perf_counter(); out = embed(*a, **k); spent[0] = time.perf_counter() - t
    phase[0] = "after"; return out
emb.embed_passages = timed
import retriever.calibration as rc, retriever.indexer as ri
def during(mod, name, label):  # the phase is `label` while mod.name runs, "after" again once it returns
    fn = getattr(mod, name)
    def wrapped(*a, **k):
        before = phase[0]; phase[0] = label
        try:
            return fn(*a, **k)
        finally:
            phase[0] = "after" if before in ("embed", "build") else before
    setattr(mod, name, wrapped)
during(rc, "calibrate", "calibrate"); during(ri, "write_generation", "write")
query = emb.embed_batch
def probes(texts, is_query):
    if phase[0] != "calibrate":
        return query(texts, is_query)
    phase[0] = "probes"
    try:
        return query(texts, is_query)
    finally:
        phase[0] = "calibrate"
emb.embed_batch = probes
la = os.getloadavg()[0]
t = time.perf_counter()
rep = NotesLibrary(Path(pages), Path(index), emb, tok).refresh()
seconds = time.perf_counter() - t
stop.set()
print(json.dumps({"chunks": rep.chunks, "seconds": seconds, "embed_s": spent[0], "path": emb.describe().get("path"),
                  "peak": status("VmHWM"), "phases": peaks,
                  "child_peak": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024, "load": [la, os.getloadavg()[0]]}))
"""


def run(n_pages: int, first: bool) -> dict:
    work = Path(tempfile.mkdtemp(prefix="build-memory-"))
    try:
        chars = make_pages(work / "pages", n_pages)
        out = subprocess.run([sys.executable, "-c", _CHILD, str(work / "pages"), str(work / "index"),
                              "first" if first else "cached"], env={**os.environ, "PYTHONPATH": str(ROOT)},
                             cwd=ROOT, capture_output=True, text=True, check=True)
        return {"pages": n_pages, "chars": chars, **json.loads(out.stdout.strip().splitlines()[-1])}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, nargs="+", default=[700])
    ap.add_argument("--first", action="store_true", help="no cached choice: measure the paths first (a new CPU)")
    args = ap.parse_args()
    for n in args.pages:
        r = run(n, args.first)
        phases = ", ".join(f"{k} {v:,}" for k, v in r["phases"].items())
        print(f"- {n} pages ({r['chars']:,} chars, {r['chunks']:,} chunks), {r['path']}"
              f"{', choice measured (in a child process)' if args.first else ', choice cached'}: peak RSS "
              f"**{r['peak']:,} MiB** (per phase, MiB: {phases}"
              f"{'; the measuring child %s MiB' % format(r['child_peak'], ',') if args.first else ''}); "
              f"build {r['seconds']:.1f} s, embedding "
              f"{r['chunks'] / max(r['embed_s'], 1e-9):.1f} passages/s (load {r['load'][0]:.2f} → {r['load'][1]:.2f})",
              flush=True)


if __name__ == "__main__":
    main()
