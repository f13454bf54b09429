"""Tesseract, run as its command-line program: one page per process, one thread per process.

Used through its CLI rather than a wrapper library: a page that runs over its time limit is
killed with its process, and nothing but the program and its language data is needed. The
page is read with automatic page segmentation (`--psm 3`); when the words come out with low
confidence, Tesseract's orientation detection (`--psm 0`, the `osd` data) is asked whether
the page is upside down or sideways, and a turned page is read again upright. Automatic
segmentation sometimes drops the few large lines of a sparse page (a slide, a photo of two
lines) as pictures: a page read with fewer than `SPARSE_BELOW` characters whose ink lies
largely outside the lines read is read again as one column of text (`--psm 4`), and the
reading with more confident characters is kept. A page lit unevenly (a phone photo: paper
bright on one side, grey on the other) is binarised with Sauvola's local threshold
(`thresholding_method=2`) instead of one global threshold, which reads nothing of it.
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
SPARSE_BELOW = 200  # characters: fewer, and the page is read again as a single column …
UNREAD_INK_ABOVE = 0.3  # … when this share of its ink lies outside the lines that were read
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

    def _read(self, image: Path, deadline: float, rotated: int = 0, psm: str = "3", local: bool = False) -> PageText:
        # TSV for confidences and heights, plain text for the spacing: TSV rows split Korean
        # words where Tesseract's own text output (rightly) does not
        base = image.with_name(image.stem + "-out")
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
        local = uneven_light(image)
        page = self._read(image, deadline, rotated, local=local)
        if page.chars < SPARSE_BELOW and unread_ink(image, page.boxes) > UNREAD_INK_ABOVE:
            column = self._read(image, deadline, rotated, psm="4", local=local)
            if column.weight > page.weight:
                page = column
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

    def recognise(self, image: Path) -> PageText:
        """The text of one page picture; PageFailed/PageTimeout with a one-line reason."""
        deadline = time.monotonic() + self.config.page_timeout
        page = self._best(image, deadline)
        doubtful = page.confidence < ORIENT_BELOW or page.sideways > SIDEWAYS_ABOVE
        if self.orientation and doubtful and page.chars >= 10:
            turn = self._turn(image, deadline)
            if turn:
                from PIL import Image

                upright = image.with_name(image.stem + f"-r{turn}.png")
                with Image.open(image) as im:
                    im.rotate(-turn, expand=True).save(upright, compress_level=1)
                try:
                    again = self._best(upright, deadline, rotated=turn)
                finally:
                    upright.unlink(missing_ok=True)
                if again.confidence > page.confidence:
                    page = again
        return page


_EVEN = re.compile(r"^[\uac00-\ud7a3A-Z0-9.,:]+$")  # letters without descenders or tall marks


def _letter_height(words: list[tuple[str, float, int]]) -> int:
    """The line's letter size: the median height of its words made of Hangul, capitals and
    digits (brackets, bars and descenders make a word's box taller than its letters)."""
    heights = sorted(h for w, _, h in words if _EVEN.match(w)) or sorted(h for _, _, h in words)
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
    lines: dict[tuple[int, int, int], list[tuple[str, float, int]]] = {}
    upright: dict[tuple[int, int, int], bool] = {}
    boxes: dict[tuple[int, int, int], tuple[int, int, int, int]] = {}
    for row in tsv.splitlines()[1:]:
        f = row.split("\t", 11)
        if len(f) < 11 or f[0] not in ("4", "5"):
            continue
        if f[0] == "4":  # a line box much taller than wide: text set sideways (or a page turned)
            key, box = (int(f[2]), int(f[3]), int(f[4])), (int(f[6]), int(f[7]), int(f[8]), int(f[9]))
            upright[key], boxes[key] = box[3] <= 2 * box[2], box
            continue
        word = f[11].strip() if len(f) > 11 else ""
        if word and float(f[10]) >= 0:
            lines.setdefault((int(f[2]), int(f[3]), int(f[4])), []).append((word, float(f[10]), int(f[9])))
    out, total, weight, at, sideways = [], 0.0, 0, 0, 0
    blocks: dict[tuple[int, int], int] = {}
    plain = [ln for ln in txt.splitlines() if ln.strip()]
    for key, words in lines.items():
        n = sum(len(w) for w, _, _ in words)
        conf = sum(len(w) * c for w, c, _ in words) / n
        total, weight = total + conf * n, weight + n
        sideways += 0 if upright.get(key, True) else n
        block = blocks.setdefault(key[:2], len(blocks))
        text, at = _spaced(" ".join(w for w, _, _ in words), plain, at)
        out.append(Line(text, conf, _letter_height(words), block))
    return PageText(tuple(out), total / weight if weight else -1.0, rotated,
                    sideways=sideways / weight if weight else 0.0,
                    boxes=tuple(boxes[k] for k in lines if k in boxes))


def _small_grey(image: Path, factor: int):
    import numpy as np
    from PIL import Image

    with Image.open(image) as im:
        return np.asarray(im.convert("L").reduce(factor), dtype=np.float32)


def uneven_light(image: Path) -> bool:
    """Whether the paper's brightness varies across the page (4 × 4 tiles, each tile's paper
    taken as its 90th percentile) by more than `UNEVEN_ABOVE` grey levels."""
    import numpy as np

    grey = _small_grey(image, 8)
    tiles = [t for row in np.array_split(grey, 4, axis=0) for t in np.array_split(row, 4, axis=1) if t.size]
    paper = [float(np.percentile(t, 90)) for t in tiles]
    return max(paper) - min(paper) > UNEVEN_ABOVE


def unread_ink(image: Path, boxes: tuple[tuple[int, int, int, int], ...]) -> float:
    """The share of the page's ink (pixels well darker than the paper) outside the line boxes
    Tesseract read; 0 for a page with nothing on it."""
    import numpy as np

    grey = _small_grey(image, 4)
    paper, darkest = float(np.median(grey)), float(np.percentile(grey, 0.5))
    if paper - darkest < 40:  # no contrast: a blank page
        return 0.0
    dark = grey < (paper + darkest) / 2
    read = np.zeros_like(dark)
    for left, top, width, height in boxes:
        read[top // 4:(top + height) // 4 + 1, left // 4:(left + width) // 4 + 1] = True
    total = int(dark.sum())
    return float((dark & ~read).sum() / total) if total else 0.0
