"""Recognising many pages: rendered one at a time here, read by one Tesseract process per core.

PDFium is not thread-safe, so this thread renders every page (a fraction of a second each)
and writes it to a temporary PNG; a pool of `workers` threads each runs one Tesseract
process on one page at a time. At most two pages per worker wait rendered, so memory stays
flat however long the scan is. Results come back as pages finish, in any order.
"""
from __future__ import annotations

import concurrent.futures as cf
import tempfile
import time
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Iterator

from .config import OcrConfig
from .render import image_pages, pdf_pages
from .tesseract import PageFailed, PageTimeout, Tesseract
from .text import PageText


@dataclass(frozen=True)
class PageJob:
    source: str  # the note file, relative to the notes folder
    path: Path
    sha256: str  # the file's hash when it was read: what it must still hold
    kind: str  # "pdf" or "image"
    page: int  # 1-based
    key: str  # the page's content key (ScanPage.key)


@dataclass(frozen=True)
class PageResult:
    job: PageJob
    text: PageText | None
    error: str = ""  # one line, when `text` is None
    timed_out: bool = False
    changed: bool = False  # the file changed since it was read: nothing to keep
    seconds: float = 0.0


def _rendered(jobs: list[PageJob], config: OcrConfig) -> Iterator[tuple[PageJob, object]]:
    """(job, picture or reason) in job order, one file open at a time."""
    for (path, kind, sha), group in groupby(jobs, key=lambda j: (j.path, j.kind, j.sha256)):
        group = list(group)
        by_page = {j.page: j for j in group}
        wanted = [(j.page, j.key) for j in group]
        try:
            pages = pdf_pages(path, wanted, config) if kind == "pdf" else image_pages(path, sha, wanted, config)
            for page, img in pages:
                yield by_page[page], img
        except OSError as exc:  # the file went away or cannot be opened any more
            for j in group:
                yield j, f"파일을 읽을 수 없습니다: {exc.strerror or exc}"


def _read_one(engine: Tesseract, job: PageJob, png: Path) -> PageResult:
    t0 = time.perf_counter()
    try:
        text = engine.recognise(png)
        return PageResult(job, text, seconds=time.perf_counter() - t0)
    except PageTimeout as exc:
        return PageResult(job, None, str(exc), timed_out=True, seconds=time.perf_counter() - t0)
    except PageFailed as exc:
        return PageResult(job, None, str(exc), seconds=time.perf_counter() - t0)
    except OSError as exc:
        return PageResult(job, None, f"Tesseract를 실행할 수 없습니다: {exc}", seconds=time.perf_counter() - t0)
    finally:
        png.unlink(missing_ok=True)


def recognise_pages(jobs: list[PageJob], engine: Tesseract, config: OcrConfig,
                    tick: float | None = None) -> Iterator[PageResult | None]:
    """Every job's result, as pages finish. Jobs of one file should be next to each other.
    With `tick`, None comes whenever `tick` seconds pass without a page finishing (so that the
    caller can publish the pages read so far while a slow page is still being read)."""
    from .render import CHANGED

    workers = config.worker_count()
    with tempfile.TemporaryDirectory(prefix="notes-ocr-") as tmp, \
            cf.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ocr") as pool:
        running: set[cf.Future] = set()
        try:
            for n, (job, img) in enumerate(_rendered(jobs, config)):
                if isinstance(img, str):
                    yield PageResult(job, None, img, changed=img == CHANGED)
                    continue
                png = Path(tmp) / f"page-{n}.png"
                img.save(png, compress_level=1)  # no dpi: Tesseract measures the letters itself
                del img
                running.add(pool.submit(_read_one, engine, job, png))
                while len(running) >= 2 * workers:  # bounded: rendering never runs far ahead
                    done, running = cf.wait(running, timeout=tick, return_when=cf.FIRST_COMPLETED)
                    yield from (f.result() for f in done) if done else (None,)
            while running:
                done, running = cf.wait(running, timeout=tick, return_when=cf.FIRST_COMPLETED)
                yield from (f.result() for f in done) if done else (None,)
        finally:
            for f in running:  # the caller stopped early: pages not started are dropped
                f.cancel()
