"""The long scan's build replayed without Tesseract: where the indexing process's memory goes, in minutes.

    python -m bench.studies.ocr_replay_memory [--embedder e5fast|none] [--delay 2] [--publish 3]
                                              [--cache PATH/ocr.jsonl]

`python -m bench.ocr_sets --only big --fresh` takes 25–50 min of the shared 2 cores, nearly all of
it Tesseract. Here the same app build (`NotesLibrary.start_refresh` on `scan100.pdf` beside the
seed note, from an empty index, keyword searches meanwhile) runs with each page's Tesseract run
replaced by its recognised text from a page cache (`ocr.jsonl` of the big part's last index, or
`--cache`) handed back after `--delay` seconds; pages are still rendered at 300 dpi and written as
PNG, and publications come every `--publish` seconds (the app: 15 s, with pages ≈ 10× slower).
This process's own RSS and peak (VmHWM) are printed when 5, 10, 25, 50, 75 and 100 pages are
read, with the resident MiB of glibc's thread heaps (64 MiB mappings), the main heap, other
anonymous memory and files, and the tree's peak so far: this process and its children (the
passage child, `e5fast.apart`) sampled together every 0.2 s. Tesseract's own processes
(≈ 100 MiB each, two at once) are not part of it: add them for the real run's tree.
Results: bench/RESULTS.md ("The 100-page scan under 1 GB (issue 20)").
"""
from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from pathlib import Path

from bench.lib.paths import OUT

BIG = OUT / "ocr" / "big"
STEPS = (5, 10, 25, 50, 75, 100)


def _status(key: str) -> int:
    return next(int(x.split()[1]) // 1024 for x in open("/proc/self/status") if x.startswith(key + ":"))


def _resident() -> dict[str, int]:
    """Resident MiB by kind of mapping: glibc thread heaps (64 MiB, aligned), [heap], other anonymous, files."""
    out, kind = {"thread_heaps": 0, "heap": 0, "anon": 0, "file": 0}, "anon"
    for line in open("/proc/self/smaps"):
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            parts = line.split()
            start, end = (int(x, 16) for x in parts[0].split("-"))
            name = parts[5] if len(parts) > 5 else ""
            kind = ("heap" if name == "[heap]" else "file" if name.startswith("/") else
                    "thread_heaps" if end - start <= 64 << 20 and start % (64 << 20) == 0 else "anon")
        elif line.startswith("Rss:"):
            out[kind] += int(line.split()[1]) >> 10
    return out


def _replay_tesseract(cache: Path, delay: float, config) -> None:
    """Each page's Tesseract run replaced by its cached text, after `delay` seconds."""
    from retriever.ocr import runner
    from retriever.ocr.text import PageText

    rows = {r["key"]: r for r in map(json.loads, open(cache, encoding="utf-8"))}

    def read_one(engine, job, png):
        try:
            time.sleep(delay)
            return runner.PageResult(job, PageText.from_json(rows[config.cache_key(job.key)]), seconds=delay)
        finally:
            png.unlink(missing_ok=True)

    runner._read_one = read_one


class _Tree:
    """The peak of this process's and its children's RSS sampled at once, every 0.2 s."""

    def __init__(self) -> None:
        import threading

        self.peak = self.child_peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.wait(0.2):
            try:
                kids = sum(c.memory_info().rss for c in me.children(recursive=True))
                self.peak = max(self.peak, (me.memory_info().rss + kids) >> 20)
                self.child_peak = max(self.child_peak, kids >> 20)
            except psutil.Error:
                continue

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def _line(what: str, t0: float, tree: _Tree, extra: str = "") -> None:
    print(f"{what:>9} t={time.perf_counter() - t0:5.0f}s RSS {_status('VmRSS')} peak {_status('VmHWM')} MiB "
          f"tree peak {tree.peak} (children {tree.child_peak}) {json.dumps(_resident())}{extra}", flush=True)


def replay(cache: Path, embedder: str, delay: float, publish: float) -> None:
    from bench.lib.ocr_big import _embedder
    from retriever import KiwiTokenizer, NotesLibrary
    from retriever.ocr.config import OcrConfig

    config = OcrConfig(publish_seconds=publish)
    _replay_tesseract(cache, delay, config)
    emb = _embedder(embedder, str(OUT / "e5fast-model"))
    with tempfile.TemporaryDirectory(prefix="ocr-replay-") as index:
        lib = NotesLibrary(BIG / "notes", index, emb, KiwiTokenizer(), ocr=config)
        t0, steps, tree, hybrid = time.perf_counter(), list(STEPS), _Tree(), [0, 0]
        build = lib.start_refresh()
        while build.is_alive():
            while steps and lib.status.ocr_done >= steps[0]:
                _line(f"{steps.pop(0)} pages", t0, tree)
            if lib.live_modes:
                lib.search("파티션 프로젝션", mode="keyword", k=3)
            if lib.status.ocr_running and "hybrid" in lib.live_modes:  # a question embedded meanwhile
                hybrid[0] += 1
                hybrid[1] += bool(lib.search("파티션 프로젝션은 무엇인가요", mode="hybrid", k=3))
            build.join(timeout=0.2)
        tree.stop()
        _line("end", t0, tree, f" chunks {len(lib.searcher.index.chunks)} dense {lib.searcher.index.dense_ready}"
              f" hybrid during OCR {hybrid[1]}/{hybrid[0]} answered")


def _last_cache() -> Path:
    """The page cache the big part's last index holds (its live generation's ocr.jsonl)."""
    index = BIG / "index"
    gen = index / (index / "CURRENT").read_text().strip()
    return gen / "ocr.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--embedder", default="e5fast", help="e5fast, or none: no model (OCR, Kiwi and the index)")
    ap.add_argument("--delay", type=float, default=2.0, help="seconds each page's replayed recognition takes")
    ap.add_argument("--publish", type=float, default=3.0, help="seconds between publications at least")
    ap.add_argument("--cache", type=Path, help="an ocr.jsonl with the 100 pages (default: the big part's index)")
    args = ap.parse_args()
    cache = args.cache or _last_cache()
    if not (BIG / "notes" / "scan100.pdf").exists():
        raise SystemExit("먼저 python -m bench.ocr_sets --only big 을 실행하세요 (scan100.pdf and its page cache)")
    print(f"replaying {cache}", flush=True)
    replay(cache, args.embedder, args.delay, args.publish)


if __name__ == "__main__":
    main()
