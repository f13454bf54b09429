"""Tesseract, run as its command-line program: one page per process, one thread per process.

Used through its CLI rather than a wrapper library: a page that runs over its time limit is
killed with its process, and nothing but the program and its language data is needed.

A page is read as one column of text of varying sizes (`--psm 4`): on the scanned seed notes
it read 0.94 of the characters right where automatic page segmentation (`--psm 3`) read 0.82
and 0.92, which broke aligned code and short lines into blocks or dropped the few large lines
of a sparse page as pictures (bench/RESULTS.md, "Scanned notes"). A page read as lines split
at one place — text in columns — or with much of its ink outside the lines read is read again
with automatic segmentation, which finds columns. A page lit unevenly (a phone photo) is binarised with
Sauvola's local threshold (`thresholding_method=2`): one global threshold reads nothing of it.
When the words come out with low confidence, or in vertical lines, Tesseract's orientation
detection (`--psm 0`, the `osd` data) is asked whether the page is upside down or sideways,
and a turned page is read again upright.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

from .config import OcrConfig
from .text import Line, PageText

INSTALL = ("apt-get install tesseract-ocr tesseract-ocr-kor "
           "(macOS/Windows: Tesseract와 한국어(kor) 언어 데이터를 설치하세요)")
ORIENT_BELOW = 70.0  # pages read with a lower mean confidence get their orientation checked
SIDEWAYS_ABOVE = 0.5  # … and pages whose text was mostly read in vertical lines (turned 90°)
MIN_ORIENT_CONFIDENCE = 1.5  # Tesseract's orientation confidence needed to turn a page
UNREAD_INK_ABOVE = 0.3  # this share of a page's ink outside the lines read: read again, segmented
GUTTER_LETTERS = 3  # a gap between words wider than this many letter heights splits a line …
COLUMN_SHARE = 0.4  # … and when this share of the lines is split at one place, the page has columns
UNEVEN_ABOVE = 35  # grey levels between the brightest and dullest paper of a page: a photo's shading


class OcrUnavailable(RuntimeError):
    """Tesseract or its language data is missing; the message is one line naming what to install."""


class PageFailed(RuntimeError):
    """One page could not be read; the message is one line."""


class PageTimeout(PageFailed):
    pass


def _thread_limit(prefix: list[str]) -> list[str]:
    # OpenMP threads of one Tesseract process: 1, since pages run one per core. Set for the
    # child alone through env(1), so this process's own OpenMP users (FAISS, torch) keep theirs.
    env = shutil.which("env")
    return [env, "OMP_THREAD_LIMIT=1", *prefix] if env else prefix


class Tesseract:
    """A usable Tesseract with the configured languages (see `find`)."""

    def __init__(self, exe: str, config: OcrConfig, orientation: bool) -> None:
        self.exe, self.config, self.orientation = exe, config, orientation
        self._cmd = _thread_limit([exe])

    @classmethod
    def find(cls, config: OcrConfig) -> "Tesseract":
        """Tesseract with `config.langs`, or OcrUnavailable naming what to install."""
        exe = shutil.which(config.tesseract)
        if exe is None:
            raise OcrUnavailable(f"OCR 프로그램 Tesseract가 없습니다 — 설치: {INSTALL}")
        try:
            out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.SubprocessError) as exc:
            raise OcrUnavailable(f"Tesseract를 실행할 수 없습니다 ({type(exc).__name__}) — 설치: {INSTALL}") from None
        have = {ln.strip() for ln in (out.stdout + out.stderr).splitlines()[1:] if ln.strip()}
        missing = [lang for lang in config.langs.split("+") if lang and lang not in have]
        if missing:
            pkgs = " ".join(f"tesseract-ocr-{m}" for m in missing)
            raise OcrUnavailable(f"Tesseract에 언어 데이터가 없습니다 ({', '.join(missing)}) — 설치: "
                                 f"apt-get install {pkgs} (macOS/Windows: Tesseract 언어 데이터 {', '.join(missing)})")
        return cls(exe, config, orientation="osd" in have)

    def _run(self, args: list[str], deadline: float) -> str:
        left = deadline - time.monotonic()
        if left <= 0:
            raise PageTimeout(f"인식 시간 초과 ({self.config.page_timeout:g}초 넘음 — page timed out)")
        try:
            out = subprocess.run(self._cmd + args, capture_output=True, timeout=left)
        except subprocess.TimeoutExpired:  # run() has killed the process
            raise PageTimeout(f"인식 시간 초과 ({self.config.page_timeout:g}초 넘음 — page timed out)") from None
        if out.returncode != 0:
            err = out.stderr.decode("utf-8", "replace").strip().splitlines()
            raise PageFailed(f"Tesseract 오류: {err[-1] if err else out.returncode}")
        return out.stdout.decode("utf-8", "replace")

    def _read(self, image: Path, deadline: float, rotated: int = 0, psm: str = "4", local: bool = False) -> PageText:
        # TSV for confidences and heights, plain text for the spacing: TSV rows split Korean
        # words where Tesseract's own text output (rightly) does not
        base = image.with_name(f"{image.stem}-psm{psm}{'-local' if local else ''}")
        try:
            self._run([str(image), str(base), "-l", self.config.langs, "--psm", psm,
                       "-c", f"thresholding_method={2 if local else 0}", "txt", "tsv"], deadline)
            tsv = base.with_suffix(".tsv").read_text(encoding="utf-8", errors="replace")
            txt = base.with_suffix(".txt").read_text(encoding="utf-8", errors="replace")
        finally:
            base.with_suffix(".tsv").unlink(missing_ok=True)
            base.with_suffix(".txt").unlink(missing_ok=True)
        return parse_tsv(tsv, txt, rotated)

    def _best(self, image: Path, deadline: float, rotated: int = 0) -> PageText:
        grey = _small_grey(image)
        local = uneven_light(grey)
        page = self._read(image, deadline, rotated, local=local)
        if page.columns or unread_ink(grey, page.boxes) > UNREAD_INK_ABOVE:
            found = _second(lambda: self._read(image, deadline, rotated, psm="3", local=local))
            if found is not None and ((page.columns and found.weight >= 0.7 * page.weight)
                                      or found.weight > page.weight):
                page = found
        return page

    def _turn(self, image: Path, deadline: float) -> int:
        """Degrees to turn the page clockwise to make it upright (0 when unsure)."""
        try:
            out = self._run([str(image), "stdout", "--psm", "0"], deadline)
        except PageTimeout:
            raise
        except PageFailed:  # too few characters to tell: leave the page as it is
            return 0
        rot = re.search(r"Rotate:\s*(\d+)", out)
        conf = re.search(r"Orientation confidence:\s*([\d.]+)", out)
        if not rot or not conf or float(conf.group(1)) < MIN_ORIENT_CONFIDENCE:
            return 0
        return int(rot.group(1)) % 360

    def _upright(self, image: Path, deadline: float) -> PageText | None:
        """The page read again turned upright, when orientation detection says it is turned."""
        from PIL import Image

        turn = self._turn(image, deadline)
        if not turn:
            return None
        upright = image.with_name(image.stem + f"-r{turn}.png")
        with Image.open(image) as im:
            im.rotate(-turn, expand=True).save(upright, compress_level=1)
        try:
            return self._best(upright, deadline, rotated=turn)
        finally:
            upright.unlink(missing_ok=True)

    def recognise(self, image: Path) -> PageText:
        """The text of one page picture; PageFailed/PageTimeout with a one-line reason. Only
        the first reading must finish in time: a second look that does not keeps the first."""
        deadline = time.monotonic() + self.config.page_timeout
        page = self._best(image, deadline)
        doubtful = page.confidence < ORIENT_BELOW or page.sideways > SIDEWAYS_ABOVE
        if self.orientation and doubtful and page.chars >= 10:
            again = _second(lambda: self._upright(image, deadline))
            if again is not None and again.confidence > page.confidence:
                page = again
        return page


def _second(read):
    """A second reading of a page, or None when it failed or ran out of time."""
    try:
        return read()
    except PageFailed:
        return None


_EVEN = re.compile(r"^[\uac00-\ud7a3A-Z0-9.,:]+$")  # letters without descenders or tall marks


def _letter_height(words: list[tuple]) -> int:
    """The line's letter size: the median height of its words made of Hangul, capitals and
    digits (brackets, bars and descenders make a word's box taller than its letters)."""
    heights = sorted(w[2] for w in words if _EVEN.match(w[0])) or sorted(w[2] for w in words)
    return heights[len(heights) // 2]


def _spaced(words: str, txt: list[str], at: int) -> tuple[str, int]:
    """The plain-text line (looked for among the next few from `at`) holding the same
    characters as a TSV line, with Tesseract's spacing; else the TSV words."""
    compact = "".join(words.split())
    for k in range(at, min(at + 3, len(txt))):
        if "".join(txt[k].split()) == compact:
            return " ".join(txt[k].split()), k + 1
    return words, at


def parse_tsv(tsv: str, txt: str = "", rotated: int = 0) -> PageText:
    """Tesseract's TSV (one row per page, block, paragraph, line and word) as lines with their
    confidence (words weighted by length) and height, spaced as its plain text `txt` is."""
    lines: dict[tuple[int, int, int], list[tuple[str, float, int, int, int]]] = {}
    upright: dict[tuple[int, int, int], bool] = {}
    boxes: dict[tuple[int, int, int], tuple[int, int, int, int]] = {}
    width = 0
    for row in tsv.splitlines()[1:]:
        f = row.split("\t", 11)
        if len(f) >= 11 and f[0] == "1":
            width = int(f[8])
        if len(f) < 11 or f[0] not in ("4", "5"):
            continue
        if f[0] == "4":  # a line box much taller than wide: text set sideways (or a page turned)
            key, box = (int(f[2]), int(f[3]), int(f[4])), (int(f[6]), int(f[7]), int(f[8]), int(f[9]))
            upright[key], boxes[key] = box[3] <= 2 * box[2], box
            continue
        word = f[11].strip() if len(f) > 11 else ""
        if word and float(f[10]) >= 0:
            lines.setdefault((int(f[2]), int(f[3]), int(f[4])), []).append(
                (word, float(f[10]), int(f[9]), int(f[6]), int(f[8])))
    out, total, weight, at, sideways = [], 0.0, 0, 0, 0
    blocks: dict[tuple[int, int], int] = {}
    plain = [ln for ln in txt.splitlines() if ln.strip()]
    for key, words in lines.items():
        n = sum(len(w[0]) for w in words)
        conf = sum(len(w[0]) * w[1] for w in words) / n
        total, weight = total + conf * n, weight + n
        sideways += 0 if upright.get(key, True) else n
        block = blocks.setdefault(key[:2], len(blocks))
        text, at = _spaced(" ".join(w[0] for w in words), plain, at)
        out.append(Line(text, conf, _letter_height(words), block))
    return PageText(tuple(out), total / weight if weight else -1.0, rotated,
                    sideways=sideways / weight if weight else 0.0,
                    boxes=tuple(boxes[k] for k in lines if k in boxes), columns=_columns(lines, width))


def _gutter(words: list[tuple[str, float, int, int, int]]) -> int | None:
    """Where the text after a line's widest gap starts, when that gap is far wider than a space."""
    height = _letter_height(words)
    gap, start = max((b[3] - (a[3] + a[4]), b[3]) for a, b in zip(words, words[1:]))
    return start if gap > GUTTER_LETTERS * height else None


def _columns(lines: dict, width: int) -> bool:
    """Whether the lines read straight across the page are mostly split at one place: text set
    in columns, read wrongly across them (Tesseract's automatic segmentation reads it right)."""
    long = [words for words in lines.values() if len(words) >= 2]
    starts = sorted(g for words in long if (g := _gutter(words)) is not None)
    if not width or len(starts) < max(3, COLUMN_SHARE * len(long)):
        return False
    q1, q3 = starts[len(starts) // 4], starts[3 * len(starts) // 4]
    return q3 - q1 < 0.03 * width


def _small_grey(image: Path):
    """The page in grey at a quarter of its size (what the checks below look at)."""
    import numpy as np
    from PIL import Image

    with Image.open(image) as im:
        return np.asarray(im.convert("L").reduce(4), dtype=np.float32)


def uneven_light(grey) -> bool:
    """Whether the paper's brightness varies across the page (4 × 4 tiles, each tile's paper
    taken as its 90th percentile) by more than `UNEVEN_ABOVE` grey levels."""
    import numpy as np

    tiles = [t for row in np.array_split(grey, 4, axis=0) for t in np.array_split(row, 4, axis=1) if t.size]
    paper = [float(np.percentile(t, 90)) for t in tiles]
    return max(paper) - min(paper) > UNEVEN_ABOVE


def unread_ink(grey, boxes: tuple[tuple[int, int, int, int], ...]) -> float:
    """The share of the page's ink (pixels well darker than the paper) outside the line boxes
    Tesseract read (`grey`: the page at a quarter size); 0 for a page with nothing on it."""
    import numpy as np

    paper, darkest = float(np.median(grey)), float(np.percentile(grey, 0.5))
    if paper - darkest < 40:  # no contrast: a blank page
        return 0.0
    dark = grey < (paper + darkest) / 2
    read = np.zeros_like(dark)
    for left, top, width, height in boxes:
        read[top // 4:(top + height) // 4 + 1, left // 4:(left + width) // 4 + 1] = True
    total = int(dark.sum())
    return float((dark & ~read).sum() / total) if total else 0.0
