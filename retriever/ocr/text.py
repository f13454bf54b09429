"""A recognised page: its lines with their confidence and height, and the note text made of it.

Headings are told by line height, as the PDF reader tells them by font size: a line clearly
taller than the page's body lines becomes a Markdown heading. Markdown that Tesseract may
read off the picture (a `# comment` in printed code, a ``` fence) is neutralised, so the
chunker never takes it for structure.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

HEADING_RATIO = 1.3  # a line this much taller than the body lines is a heading …
TOP_HEADING_RATIO = 1.8  # … a top-level one from this ratio on
MAX_HEADING_CHARS = 60
MIN_HEADING_CONFIDENCE = 80.0  # a doubtful line (a smudge, a diagram) never becomes a heading
MIN_HEADING_LETTERS = 4
_LIST_ITEM = re.compile(r"^[-•*·▪◦]")  # a bullet is a list item, however tall it was read
_PAGE_NUMBER = re.compile(r"^[\s\-–—·.pP]*\d{1,4}[\s\-–—·./\d]*$")
_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})")
_ATX = re.compile(r"^(#{1,6})(\s)")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


@dataclass(frozen=True)
class Line:
    text: str
    confidence: float  # mean word confidence, 0–100, weighted by characters
    height: int  # letter size in pixels (the median height of its plain words)
    block: int  # Tesseract's paragraph number on the page: a change is a paragraph break


@dataclass(frozen=True)
class PageText:
    lines: tuple[Line, ...]
    confidence: float  # mean word confidence of the page, weighted by characters; -1 without words
    rotated: int = 0  # degrees the picture was turned (clockwise) before it was read
    sideways: float = field(default=0.0, compare=False)  # share of the text read in vertical lines (not kept)
    boxes: tuple[tuple[int, int, int, int], ...] = field(default=(), compare=False)  # line boxes (not kept)
    columns: bool = field(default=False, compare=False)  # lines read across columns (not kept)

    @property
    def chars(self) -> int:
        return sum(len(ln.text.replace(" ", "")) for ln in self.lines)

    @property
    def weight(self) -> float:
        """Characters weighted by their confidence: how much was read, and how surely."""
        return sum(len(ln.text.replace(" ", "")) * ln.confidence / 100 for ln in self.lines)

    def to_json(self) -> dict:
        return {"conf": round(self.confidence, 2), "rot": self.rotated,
                "lines": [[ln.text, round(ln.confidence, 1), ln.height, ln.block] for ln in self.lines]}

    @classmethod
    def from_json(cls, d: dict) -> "PageText":
        return cls(tuple(Line(str(t), float(c), int(h), int(b)) for t, c, h, b in d["lines"]),
                   float(d["conf"]), int(d.get("rot", 0)))


def _neutral(text: str) -> str:
    """The line as text: a leading `#` or code fence read off the picture is not Markdown."""
    text = _FENCE.sub(lambda m: m.group(1) + "'" * len(m.group(2)), text)
    return _ATX.sub(lambda m: " " + m.group(1) + m.group(2), text)


def _body_height(lines: tuple[Line, ...]) -> int:
    """The most common height of the page's Hangul text lines (of all lines when none)."""
    weights: Counter[int] = Counter()
    for ln in lines:
        if len(_HANGUL.findall(ln.text)) >= 3 or not any(_HANGUL.search(x.text) for x in lines):
            weights[ln.height] += len(ln.text)
    if not weights:
        return 0
    # neighbouring heights are one size: take the best window of ±8 %
    best = max(weights, key=lambda h: sum(w for k, w in weights.items() if abs(k - h) <= 0.08 * h))
    return best


def _is_heading(ln: Line, text: str, body: int) -> bool:
    return (body > 0 and ln.height >= HEADING_RATIO * body and len(text) <= MAX_HEADING_CHARS
            and ln.confidence >= MIN_HEADING_CONFIDENCE and not _LIST_ITEM.match(text)
            and len(re.findall(r"[\uac00-\ud7a3A-Za-z0-9]", text)) >= MIN_HEADING_LETTERS)


def page_lines(page: PageText) -> list[str]:
    """The page as note lines: paragraphs apart, tall short lines as headings, page numbers gone."""
    body = _body_height(page.lines)
    out: list[str] = []
    block = None
    for ln in page.lines:
        text = " ".join(ln.text.split())
        if not text or _PAGE_NUMBER.match(text):
            continue
        if block is not None and ln.block != block:
            out.append("")
        block = ln.block
        if _is_heading(ln, text, body):
            level = 1 if ln.height >= TOP_HEADING_RATIO * body else 2
            out += ["", "#" * level + " " + _neutral(text).lstrip(), ""]
        else:
            out.append(_neutral(text))
    return out
