"""The `big` part of `bench.ocr_sets`: a long scanned PDF (300 dpi, 100 pages by default) indexed
in a child process while its memory is sampled — the indexing process, each Tesseract process
and the sum of them — with the peak so far noted when 10, 25, 50 and 100 pages are read (a
peak that grows with the page count shows there), keyword search while OCR runs, then a
restart with nothing changed.

The embedder's model folder is made ready first in a process of its own (materialised, its
path measured and remembered in `choices.json`), as every start after the very first finds
it; its peak is reported apart. Without that, the first path measurement ran inside the
indexing process and its peak (2,268 MB) was taken for OCR's.

    python -m bench.ocr_sets --only big [--big-pages 100] [--fresh]
    python -m bench.lib.ocr_big child|warm …   # the child processes (used by the part)
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

STEPS = (10, 25, 50, 100)
SAMPLE_SECONDS = 0.2


def make_big(out: Path, msmarco: Path, seed_notes: Path, pages: int = 100) -> Path:
    """A notes folder with `scan<pages>.pdf` (msmarco-ko passages drawn, lightly spoiled) and a
    text note; drawn once (the 100-page one under `big/`, as before)."""
    from bench.lib import ocr_draw as D

    folder = out / ("big" if pages == 100 else f"big{pages}") / "notes"
    if (folder / f"scan{pages}.pdf").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    docs = [json.loads(x)["text"] for x, _ in zip(open(msmarco / "corpus.jsonl", encoding="utf-8"), range(3000))]
    rows = [D.Row(t, s, "") for d in docs for t, s in ((d, "body"), ("", "body"))]
    laid = D.layout(rows)[:pages]
    D.image_pdf([D.spoil(D.draw(p), 1, seed=k) for k, p in enumerate(laid)], folder / f"scan{pages}.pdf")
    (folder / "seed.md").write_text(next(seed_notes.glob("*.md")).read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def _embedder(spec: str, model_dir: str):
    """`spec` as the app reads it, or `none`: no model at all (a constant vector; semantic search
    means nothing), so that what remains is OCR, Kiwi and the index — the build without its model."""
    from retriever import Embedder, make_embedder

    if spec != "none":
        return make_embedder(spec, cache_dir=model_dir)

    class NoModel(Embedder):
        id, dim = "bench:no-model", 8

        def embed_batch(self, texts, is_query):
            import numpy as np

            return np.tile(np.eye(1, 8, dtype=np.float32), (len(texts), 1))

    return NoModel()


def _maxrss_mb(who: int) -> int:
    return round(resource.getrusage(who).ru_maxrss / 1024)


def warm(model_dir: str, spec: str) -> None:
    """In its own process: make the model folder ready (the path choice measured and kept)."""
    t0 = time.perf_counter()
    emb = _embedder(spec, model_dir)
    emb.prepare_passages()
    emb.embed_batch(["라우터 점검 주기는 분기마다입니다."], is_query=False)
    emb.embed_batch(["라우터 점검 주기"], is_query=True)
    print(json.dumps({"warm_seconds": round(time.perf_counter() - t0, 1), "warm_peak_mb": _maxrss_mb(resource.RUSAGE_SELF),
                      "embedder": emb.describe()}, ensure_ascii=False, default=str), flush=True)


def child(folder: str, index: str, model_dir: str, spec: str) -> None:
    """In its own process: index the scan, searching the text note meanwhile; then restart."""
    from retriever import KiwiTokenizer, NotesLibrary

    emb = _embedder(spec, model_dir)
    lib = NotesLibrary(folder, index, emb, KiwiTokenizer())
    scan = next(p.name for p in Path(folder).glob("scan*.pdf"))
    t0 = time.perf_counter()
    build = lib.start_refresh()
    while build.is_alive():
        if lib.live_modes:
            q0 = time.perf_counter()
            ok = bool(lib.search("파티션 프로젝션", mode="keyword", k=3))
            ms = round(1000 * (time.perf_counter() - q0), 1)
            pages = len({c.page for c in lib.searcher.index.chunks if c.source == scan})
            # a question embedded while pages are read (the text notes by meaning, scanned pages by keyword)
            hybrid = bool(lib.search("파티션 프로젝션은 무엇인가요", mode="hybrid", k=3)) if lib.status.ocr_running else None
            print(json.dumps({"t": round(q0 - t0, 2), "ok": ok, "ms": ms, "hybrid_ok": hybrid,
                              "ocr_done": lib.status.ocr_done, "ocr_total": lib.status.ocr_total,
                              "pages_searchable": pages}), flush=True)
        build.join(timeout=2.0)
    pages = len({c.page for c in lib.searcher.index.chunks if c.source == scan})
    built = {"self_peak_mb": _maxrss_mb(resource.RUSAGE_SELF), "largest_child_mb": _maxrss_mb(resource.RUSAGE_CHILDREN)}
    again = NotesLibrary(folder, index, emb, KiwiTokenizer())
    r0 = time.perf_counter()
    rep = again.refresh()
    print(json.dumps({"done": round(time.perf_counter() - t0, 1), "ocr_pages": lib.status.ocr_done,
                      "pages_searchable": pages, "restart_recognised": rep.recognised,
                      "restart_seconds": round(time.perf_counter() - r0, 2), "embedder": emb.describe().get("path"),
                      **built}, default=str), flush=True)


class Sampler:
    """Peak RSS of a process and its children, sampled; the peak so far noted at each step."""

    def __init__(self, proc) -> None:
        self.proc = proc
        self.peak = {"indexing_process": 0, "largest_tesseract": 0, "tesseracts_at_once": 0, "other_children": 0,
                     "forking_not_counted": 0, "total": 0}
        self.at_pages: dict[int, dict] = {}

    def sample(self, done: int) -> None:
        import psutil

        try:
            main, own = self.proc.memory_info().rss, self.proc.cmdline()
            kids = [(c.name(), c.memory_info().rss, c.cmdline()) for c in self.proc.children(recursive=True)]
        except psutil.Error:
            return
        # a child with the indexing process's own command line is a Tesseract launch between fork
        # and exec: its RSS is the parent's pages, shared, not memory of its own (left out of the total)
        forking = [rss for name, rss, cmd in kids if "tesseract" not in name and cmd == own]
        kids = [(name, rss) for name, rss, cmd in kids if "tesseract" in name or cmd != own]
        tess = [rss for name, rss in kids if "tesseract" in name]
        now = {"indexing_process": main, "largest_tesseract": max(tess, default=0), "tesseracts_at_once": sum(tess),
               "other_children": sum(rss for name, rss in kids if "tesseract" not in name),
               "forking_not_counted": sum(forking), "total": main + sum(rss for _, rss in kids)}
        self.peak = {k: max(v, now[k]) for k, v in self.peak.items()}
        for step in STEPS:
            if done >= step and step not in self.at_pages:
                self.at_pages[step] = {"peak_so_far_mb": _mb(self.peak), "now_mb": _mb(now), "uptime_load": _load()}
                print(f"  {step} pages read: {json.dumps(self.at_pages[step])}", file=sys.stderr, flush=True)


def _mb(d: dict) -> dict:
    return {k: round(v / 2**20) for k, v in d.items()}


def _load() -> float:
    import os

    return round(os.getloadavg()[0], 2)


def _run_json(cmd: list[str], cwd: Path) -> dict:
    out = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, text=True, check=True).stdout
    return json.loads([x for x in out.splitlines() if x.startswith("{")][-1])


def part_big(out: Path, root: Path, msmarco: Path, seed_notes: Path, fresh: bool, pages: int = 100,
             spec: str = "e5fast") -> dict:
    import psutil

    folder = make_big(out, msmarco, seed_notes, pages)
    index, model_dir = folder.parent / ("index" if spec == "e5fast" else f"index-{spec}"), out.parent / "e5fast-model"
    if fresh and index.exists():
        import shutil
        shutil.rmtree(index)
    me = [sys.executable, "-m", "bench.lib.ocr_big"]
    warmed = _run_json(me + ["warm", str(model_dir), spec], root)
    proc = psutil.Popen(me + ["child", str(folder), str(index), str(model_dir), spec], stdout=subprocess.PIPE,
                        text=True, cwd=root)
    sampler, lines = Sampler(proc), []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    while proc.poll() is None:
        last = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
        sampler.sample(last.get("ocr_done", 0))
        time.sleep(SAMPLE_SECONDS)
    reader.join()
    rows = [json.loads(x) for x in lines if x.startswith("{")]
    during = [r for r in rows if "ok" in r and 0 < r["ocr_done"] < r.get("ocr_total", pages)]
    return {"pages": pages, "dpi": 300, "warm_up (own process)": warmed, "peak_mb": _mb(sampler.peak),
            "peak_by_pages_read": sampler.at_pages, "final": rows[-1],
            "pdf_mb": round((folder / f"scan{pages}.pdf").stat().st_size / 2**20, 1),
            "searches_during_ocr": len(during), "ok_during_ocr": sum(r["ok"] for r in during),
            "hybrid_ok_during_ocr": sum(bool(r.get("hybrid_ok")) for r in during),
            "ms_during_ocr_p50": sorted(r["ms"] for r in during)[len(during) // 2] if during else None,
            "progress": [(r["t"], r["pages_searchable"]) for r in rows if "ok" in r][:: max(1, len(rows) // 12)]}


if __name__ == "__main__":
    if sys.argv[1] == "warm":
        warm(*sys.argv[2:4])
    elif sys.argv[1] == "child":
        child(*sys.argv[2:6])
