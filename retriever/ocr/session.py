"""One index build's scanned pages: cached text filled in, the rest recognised, notes made whole.

The indexer hands over every file that has scanned pages (`add`), asks for the notes with
what is recognised so far (`assemble`) whenever it publishes a generation, and lets
`recognise` run the pages still to read, publishing as they finish. What each file's pages
came to (recognised, low confidence, skipped and why, still to read) goes into the manifest
through `file_meta`, so the next build knows what to reuse and what to try again.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from ..loader import FileRef
from ..readers import ScanPage
from e5fast.heap import big_blocks_mapped, trim_heap
from ..types import Note, Skipped
from .cache import OcrCache
from .config import OcrConfig
from .runner import PageJob, PageResult, recognise_pages
from .tesseract import OcrUnavailable, Tesseract
from .text import PageText, page_lines

OcrProgress = Callable[[int, int], None]  # (pages read so far, pages to read in this build)


@dataclass
class _ScanFile:
    ref: FileRef
    note: Note  # the text pages read, the scanned pages empty
    keys: dict[int, str]  # page → cache key
    content: dict[int, str]  # page → content key (what the page must still hold when rendered)
    texts: dict[int, PageText] = field(default_factory=dict)
    failed: dict[int, str] = field(default_factory=dict)  # page → one-line reason
    engine_missing: bool = False  # pages wait for Tesseract (tried again once it is there)

    @property
    def pending(self) -> list[int]:
        return [p for p in sorted(self.keys) if p not in self.texts and p not in self.failed]


def assemble(note: Note, recognised: dict[int, list[str]]) -> Note:
    """`note` (its scanned pages empty) with the recognised pages' lines in their places."""
    lines = note.text.split("\n")
    starts = list(note.pages) or [1]
    bounds = starts[1:] + [len(lines) + 1]
    blocks = [lines[a - 1:b - 1] for a, b in zip(starts, bounds)]
    for page, text in recognised.items():
        blocks[page - 1] = text + [""]  # pages never share a block
    out: list[str] = []
    new_starts = []
    for block in blocks:
        new_starts.append(len(out) + 1)
        out.extend(block)
    ocr_pages = tuple(sorted(p for p, text in recognised.items() if any(t.strip() for t in text)))
    return replace(note, text="\n".join(out), pages=tuple(new_starts), ocr_pages=ocr_pages)


def _pages_reason(failed: dict[int, str]) -> str:
    by_reason: dict[str, list[int]] = {}
    for page, reason in sorted(failed.items()):
        by_reason.setdefault(reason, []).append(page)
    return "; ".join(f"p. {', '.join(map(str, pages))}: {reason}" for reason, pages in by_reason.items())


class OcrSession:
    def __init__(self, config: OcrConfig, index_dir: Path, progress: bool = False,
                 on_progress: OcrProgress | None = None) -> None:
        self.config = config
        self._index_dir, self._cache = index_dir, None
        self.files: dict[str, _ScanFile] = {}
        self.carried: dict[str, dict] = {}  # OCR facts of unchanged files taken from the last build
        self.recognised = 0  # pages Tesseract read in this build
        self.progress, self.on_progress = progress, on_progress
        self._engine: Tesseract | None = None
        self._why_not = ""
        self._checked = False

    @property
    def cache(self) -> OcrCache:
        """The live generation's recognised pages (read on first use)."""
        if self._cache is None:
            self._cache = OcrCache.load(self._index_dir) if self.config.enabled else OcrCache()
        return self._cache

    # -- the engine ---------------------------------------------------------------------
    def engine(self) -> Tesseract | None:
        """Tesseract with the configured languages, looked for once (None: see `why_not`)."""
        if not self._checked:
            self._checked = True
            if not self.config.enabled:
                self._why_not = "OCR이 꺼져 있습니다 (OCR disabled)"
            else:
                try:
                    self._engine = Tesseract.find(self.config)
                except OcrUnavailable as exc:
                    self._why_not = str(exc)
        return self._engine

    def _engine_back(self) -> bool:
        return self.config.enabled and self.engine() is not None

    # -- what the last build left -------------------------------------------------------
    def outstanding(self, manifest: dict) -> bool:
        """Whether the last build left pages to read: interrupted, or waiting for Tesseract
        that is now there."""
        metas = [m.get("ocr") or {} for m in manifest.get("files", {}).values()]
        if any(m.get("pending") for m in metas):
            return True
        waiting = any(m.get("engine") for m in metas) or any(x.get("ocr") for x in manifest.get("skipped", []))
        return waiting and self._engine_back()

    def reusable(self, meta: dict) -> bool:
        """Whether an unchanged file's note from the last build is complete enough to keep."""
        o = meta.get("ocr") or {}
        return not o.get("pending") and not (o.get("engine") and self._engine_back())

    def retry_skipped(self, entry: dict) -> bool:
        """Whether a file skipped for want of Tesseract should be read again now."""
        return bool(entry.get("ocr")) and self._engine_back()

    def carry(self, source: str, meta: dict) -> None:
        if meta.get("ocr"):
            self.carried[source] = meta["ocr"]

    # -- this build's files -------------------------------------------------------------
    def add(self, ref: FileRef, note: Note, scans: tuple[ScanPage, ...]) -> None:
        f = _ScanFile(ref, note, {s.page: self.config.cache_key(s.key) for s in scans},
                      {s.page: s.key for s in scans})
        for page, key in f.keys.items():
            text = self.cache.text(key)
            if text is not None:
                f.texts[page] = text
            elif (reason := self.cache.timed_out(key, self.config.page_timeout)) is not None:
                f.failed[page] = reason
        if f.pending and self.engine() is None:
            f.engine_missing = True
            for page in f.pending:
                f.failed[page] = self._why_not
        self.files[note.source] = f
        trim_heap()  # the scan's bytes (and PDFium's copy) are freed by now: give them back

    def jobs(self) -> list[PageJob]:
        kind = {"pdf": "pdf", "image": "image"}
        return [PageJob(src, f.ref.path, f.note.sha256, kind[f.note.encoding], page, f.content[page])
                for src, f in sorted(self.files.items()) for page in f.pending]

    def _whole_reason(self, f: _ScanFile) -> str:
        what = "텍스트 층이 없는 스캔 PDF" if f.note.encoding == "pdf" else "스캔/사진 이미지"
        if f.engine_missing:
            return f"{what}는 OCR로 읽습니다: {self._why_not}"
        if f.failed:
            return f"{what}를 읽지 못했습니다 — {_pages_reason(f.failed)}"
        return f"{what}에서 OCR로 글자를 찾지 못했습니다 (텍스트 층 없음, no text recognised)"

    def assemble(self, notes: list[Note], skipped: list[Skipped]) -> tuple[list[Note], list[Skipped]]:
        """The notes with their recognised pages in place, and the skipped files: scans
        with nothing read are skipped whole, pages that failed are named with their reason."""
        out, skips = [], list(skipped)
        for note in notes:
            f = self.files.get(note.source)
            if f is None:
                out.append(note)
                if self.carried.get(note.source, {}).get("skipped"):
                    skips.append(Skipped(note.source, self.carried[note.source]["skipped"]))
                continue
            whole = assemble(note, {p: page_lines(t) for p, t in f.texts.items()})
            if not whole.text.strip() and not f.pending:
                skips.append(Skipped(note.source, self._whole_reason(f)))
                continue
            out.append(whole)
            if f.failed:
                skips.append(Skipped(note.source, self._partial_reason(f)))
        skips.sort(key=lambda s: s.path)
        return out, skips

    def _partial_reason(self, f: _ScanFile) -> str:
        if f.engine_missing:
            pages = ", ".join(map(str, sorted(f.failed)))
            return f"스캔 페이지(p. {pages})는 OCR로 읽습니다: {self._why_not}"
        return f"스캔 페이지 일부를 읽지 못했습니다 — {_pages_reason(f.failed)}"

    def retryable(self, source: str) -> bool:
        """A skipped file that waits for Tesseract (read again once it is installed)."""
        f = self.files.get(source)
        return f is not None and f.engine_missing

    def file_meta(self, note: Note) -> dict | None:
        """What the manifest keeps about a note's scanned pages (None: it has none)."""
        f = self.files.get(note.source)
        if f is None:
            return self.carried.get(note.source)
        floor = self.config.min_confidence
        meta = {"keys": [f.keys[p] for p in sorted(f.keys)], "recognised": list(note.ocr_pages),
                "low": [[p, round(t.confidence, 1)] for p, t in sorted(f.texts.items())
                        if t.chars and 0 <= t.confidence < floor]}
        if f.pending:
            meta["pending"] = f.pending
        if f.engine_missing:
            meta["engine"] = True
        if f.failed and (f.texts or f.pending):
            meta["skipped"] = self._partial_reason(f)
        return meta

    # -- recognising ----------------------------------------------------------------------
    def _take(self, res: PageResult) -> None:
        f = self.files[res.job.source]
        key = f.keys[res.job.page]
        if res.text is not None:
            f.texts[res.job.page] = res.text
            self.cache.put_text(key, res.text)
        else:
            f.failed[res.job.page] = res.error
            if res.timed_out:
                self.cache.put_timeout(key, res.error, self.config.page_timeout)
        if res.seconds > 0:
            self.recognised += 1

    def recognise(self, publish: Callable[[], None]) -> None:
        """Read every pending page; `publish()` whenever pages read since the last call should
        join the index (at most every `publish_seconds`) and once at the end."""
        jobs = self.jobs()
        if not jobs:
            return
        engine = self.engine()
        assert engine is not None  # pages are pending only when Tesseract is there
        bar = None
        if self.progress:
            from tqdm import tqdm

            bar = tqdm(total=len(jobs), desc="OCR", unit="page", file=sys.stderr, leave=False)
        if self.on_progress is not None:  # the count is known before the first page is read
            self.on_progress(0, len(jobs))
        with big_blocks_mapped():  # page pictures (9 MB each) and the like go back to the system when freed
            self._read_all(jobs, engine, bar, publish)
        if bar is not None:
            bar.close()
        publish()

    def _read_all(self, jobs: list[PageJob], engine: Tesseract, bar, publish: Callable[[], None]) -> None:
        last, every = time.monotonic(), self.config.publish_seconds
        done = unpublished = 0
        # a tick while no page finishes: pages already read join even while a slow page goes on
        for res in recognise_pages(jobs, engine, self.config, tick=max(0.5, min(every, 5.0))):
            if res is not None:
                self._take(res)
                done, unpublished = done + 1, unpublished + 1
                if bar is not None:
                    bar.update(1)
                if self.on_progress is not None:
                    self.on_progress(done, len(jobs))
            if unpublished and done < len(jobs) and time.monotonic() - last >= every:
                unpublished = 0
                t0 = time.monotonic()
                publish()
                last = time.monotonic()
                # a large index takes longer to write: publish less often, so writing never
                # takes more than about a quarter of the time (pages go on being read meanwhile)
                every = max(self.config.publish_seconds, 3 * (last - t0))

    def keys_in_use(self, metas: dict[str, dict]) -> set[str]:
        """The cache keys of every scanned page of the indexed files (`metas`: the manifest's)."""
        keys = {k for m in metas.values() for k in (m.get("ocr") or {}).get("keys", [])}
        return keys | {k for f in self.files.values() for k in f.keys.values()}
