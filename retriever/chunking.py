"""Structure-aware chunking of Markdown/plain-text notes.

A note is cut into sections at Markdown headings and at bold-only pseudo-heading lines
(`**A. AWS Data Exchange 핵심 개념:**`). Fenced code blocks and tables are atomic unless
one alone is over the size limit. Small neighbouring sections under the same Markdown
heading are packed together up to `max_chars`; big ones are split at block, then sentence
boundaries. Text without headings is packed by paragraphs, then sentences.
"""
from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass
from typing import Callable

from .types import Chunk, page_at, section_id

SentenceSplitter = Callable[[str], list[tuple[int, int]]]

ATX_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE_RE = re.compile(r"^\s*(```+|~~~+)")
BOLD_LINE_RE = re.compile(r"^\s*\*\*(.+?)\*\*\s*(:?)\s*$")
_ENUM_RE = re.compile(r"^([A-Za-z]|\d{1,2}|[가-하])[.)]\s")
LABEL_RE = re.compile(r"^[^\s\-*>|#`].{0,38}:\s*$")  # "시험 포인트:" on a line of its own
SENT_FALLBACK_RE = re.compile(r"[^.!?。\n]+(?:[.!?。]+|$)")

# Exam-note labels that summarise the whole section rather than the sub-section above them.
SECTION_LABELS = frozenset({"시험 포인트", "핵심 포인트", "핵심 정리", "정리", "요약", "암기 포인트"})

KIWI_SPLIT_MAX_CHARS = 20_000
HEADING_ROOM = 120

ENUM_LEVEL = 10  # bold "A. …" headings sit below any Markdown heading
LABEL_LEVEL = 11  # other bold-only lines and "label:" lines sit below those


@dataclass(frozen=True)
class ChunkerConfig:
    """Sizes measured in bench/studies/quality.py and bench/retrieval.py (bench/studies/quality.md,
    bench/studies/plain_chunk_size.md): structured notes retrieve best in small section-aligned
    chunks, and so do plain pages since the lead-weighted fusion: the dense side reads a
    600-character piece of a page far better than the whole page (pages stand-in semantic hit@1
    0.817 → 0.875, OCR proxy +0.03 to +0.06)."""

    max_chars: int = 600  # notes with headings
    min_chars: int = 150
    plain_max_chars: int = 600  # text without any heading (PDF pages, OCR text, plain notes)

    def to_dict(self) -> dict:
        return {"max_chars": self.max_chars, "min_chars": self.min_chars,
                "plain_max_chars": self.plain_max_chars, "version": 3}  # 3: chunks carry their section


@dataclass
class _Block:
    start: int  # 0-based line index, inclusive
    end: int  # exclusive
    text: str
    atomic: bool = False  # code block or table
    heading: bool = False  # the heading line that opens a section


@dataclass
class _Section:
    path: tuple[str, ...]
    parent: tuple[str, ...]  # the Markdown-heading part of the path: packing never crosses it
    level: int  # level of the heading that opened it (0: text before any heading)
    blocks: list[_Block]


def _heading_of(line: str) -> tuple[int, str] | None:
    m = ATX_RE.match(line)
    if m:
        return len(m.group(1)), m.group(2).strip()
    m = BOLD_LINE_RE.match(line)
    if m:
        inner = m.group(1).strip()
        title = inner.rstrip(":").strip()
        if not title or len(title) > 80 or "**" in inner:
            return None
        if _ENUM_RE.match(title) or title in SECTION_LABELS:
            return ENUM_LEVEL, title
        if inner.endswith((":", "?")) or m.group(2):
            return LABEL_LEVEL, title
        return None  # a bold sentence such as "**정답: …**" is content, not a heading
    stripped = line.strip()
    if LABEL_RE.match(stripped) and "**" not in stripped:
        title = stripped.rstrip(":").strip()
        return (ENUM_LEVEL if title in SECTION_LABELS else LABEL_LEVEL), title
    return None


def _blocks(lines: list[str], lo: int, hi: int) -> list[_Block]:
    """Paragraph, list-item, code and table blocks of lines[lo:hi]."""
    out: list[_Block] = []
    i = lo
    while i < hi:
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        fence = FENCE_RE.match(line)
        if fence:
            marker = fence.group(1)[0] * 3
            j = i + 1
            while j < hi and not lines[j].strip().startswith(marker):
                j += 1
            j = min(j + 1, hi)
            out.append(_Block(i, j, "\n".join(lines[i:j]), atomic=True))
            i = j
            continue
        if line.lstrip().startswith("|"):
            j = i
            while j < hi and lines[j].lstrip().startswith("|"):
                j += 1
            out.append(_Block(i, j, "\n".join(lines[i:j]), atomic=True))
            i = j
            continue
        # a paragraph or a list: until a blank line, a fence or a table (an over-long one is
        # cut between lines later)
        j = i + 1
        while j < hi:
            nxt = lines[j]
            if not nxt.strip() or FENCE_RE.match(nxt) or nxt.lstrip().startswith("|"):
                break
            j += 1
        out.append(_Block(i, j, "\n".join(lines[i:j])))
        i = j
    return out


def _sections(lines: list[str]) -> list[_Section]:
    stack: list[tuple[int, str]] = []
    sections: list[_Section] = []
    body_start = 0
    in_fence = False
    fence_marker = ""

    def close(upto: int) -> None:
        lo = body_start
        blocks: list[_Block] = []
        if stack and lo < upto and _heading_of(lines[lo]) is not None:
            blocks.append(_Block(lo, lo + 1, lines[lo].strip(), heading=True))
            lo += 1
        blocks += _blocks(lines, lo, upto)
        path = tuple(t for _, t in stack)
        parent = tuple(t for lvl, t in stack if lvl < ENUM_LEVEL)
        if blocks:
            sections.append(_Section(path, parent, stack[-1][0] if stack else 0, blocks))

    for i, line in enumerate(lines):
        fence = FENCE_RE.match(line)
        if fence:
            if not in_fence:
                in_fence, fence_marker = True, fence.group(1)[0] * 3
            elif line.strip().startswith(fence_marker):
                in_fence = False
            continue
        if in_fence:
            continue
        heading = _heading_of(line)
        if heading is None:
            continue
        close(i)
        level, title = heading
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))
        body_start = i  # the heading line belongs to its section's text
    close(len(lines))
    return sections


def split_candidates(text: str, config: ChunkerConfig = ChunkerConfig()) -> list[str]:
    """The lines of a note that `chunk_note` may hand to its sentence splitter whole (a line
    too long for one piece), so that a caller can split them all at once first (Kiwi's batch
    form runs on its worker threads; one line at a time it used one core, ~13 ms a line)."""
    limit = min(config.max_chars, config.plain_max_chars) - HEADING_ROOM
    return [line for line in text.split("\n") if limit < len(line) <= KIWI_SPLIT_MAX_CHARS]


def _split_text(text: str, max_chars: int, splitter: SentenceSplitter | None) -> list[tuple[int, int]]:
    """Character ranges of `text`, each at most max_chars, cut at sentence ends when possible."""
    try:
        # Kiwi is slow on one huge unbroken run (a 200k-char line takes ~15 s); the regex is not.
        sents = splitter(text) if splitter and len(text) <= KIWI_SPLIT_MAX_CHARS else []
    except Exception:
        sents = []
    if not sents:
        sents = [(m.start(), m.end()) for m in SENT_FALLBACK_RE.finditer(text) if m.group().strip()]
    pieces: list[tuple[int, int]] = []
    for s, e in sents:
        while e - s > max_chars:  # a "sentence" with no end in sight: cut at a space if any
            cut = text.rfind(" ", s + max_chars // 2, s + max_chars)
            cut = cut if cut > s else s + max_chars
            pieces.append((s, cut))
            s = cut
        if e > s:
            pieces.append((s, e))
    ranges: list[tuple[int, int]] = []
    for s, e in pieces:
        if ranges and e - ranges[-1][0] <= max_chars:
            ranges[-1] = (ranges[-1][0], e)
        else:
            ranges.append((s, e))
    return ranges or [(0, len(text))]


def _split_block(block: _Block, max_chars: int, splitter: SentenceSplitter | None) -> list[_Block]:
    """Pieces of a block, each within max_chars: whole lines first, then sentences."""
    if len(block.text) <= max_chars:
        return [block]
    lines = block.text.split("\n")
    if FENCE_RE.match(lines[0]):
        max_chars -= len(lines[0].strip()) + 8  # room for the fence re-opened at each cut
    if len(lines) == 1:  # one long line: sentence ranges, all on the same line number
        return [_Block(block.start, block.end, block.text[s:e].strip(), block.atomic)
                for s, e in _split_text(block.text, max_chars, splitter) if block.text[s:e].strip()]
    out: list[_Block] = []
    cur: list[str] = []
    cur_start = block.start
    for k, line in enumerate(lines):
        if cur and sum(len(x) + 1 for x in cur) + len(line) > max_chars:
            out.append(_Block(cur_start, block.start + k, "\n".join(cur), block.atomic))
            cur, cur_start = [], block.start + k
        cur.append(line)
    out.append(_Block(cur_start, block.start + len(lines), "\n".join(cur), block.atomic))
    pieces = [p for b in out for p in _split_block(b, max_chars, splitter)]
    return _refence(pieces, lines[0]) if FENCE_RE.match(lines[0]) else pieces


def _refence(pieces: list[_Block], opener: str) -> list[_Block]:
    """Close and reopen the code fence at each cut so every piece renders as code."""
    fence = FENCE_RE.match(opener).group(1)
    out = []
    for k, p in enumerate(pieces):
        text = p.text
        if k > 0:
            text = opener.strip() + "\n" + text
        if k < len(pieces) - 1:
            text = text + "\n" + fence
        out.append(_Block(p.start, p.end, text, p.atomic))
    return out


def chunk_id(heading: str, text: str) -> str:
    return hashlib.sha256(f"{heading}\n{text}".encode("utf-8")).hexdigest()[:20]


def _make_chunk(source: str, path: tuple[str, ...], blocks: list[_Block], pages: tuple[int, ...],
                scopes: list[int]) -> Chunk:
    heading = " > ".join(path)
    text = "\n\n".join(b.text for b in blocks).strip()
    first = blocks[0].start + 1
    scope = scopes[bisect.bisect_right(scopes, first) - 1] if scopes and scopes[0] <= first else 1
    return Chunk(source=source, heading=heading, lines=(first, blocks[-1].end), text=text,
                 id=chunk_id(heading, text), page=page_at(pages, first), section=section_id(source, scope))


def _heading_lines(lines: list[str]) -> list[int]:
    """1-based lines of the Markdown headings outside code fences: each opens a section of the
    notes' structure (`structure.parse`), and chunks never cross them."""
    out, fence = [], ""
    for i, line in enumerate(lines, start=1):
        fm = FENCE_RE.match(line)
        if fence:
            if fm and line.strip().startswith(fence):
                fence = ""
        elif fm:
            fence = fm.group(1)[0] * 3
        elif ATX_RE.match(line.rstrip()):
            out.append(i)
    return out


def chunk_note(source: str, text: str, config: ChunkerConfig = ChunkerConfig(),
               splitter: SentenceSplitter | None = None, pages: tuple[int, ...] = ()) -> list[Chunk]:
    """Chunks of one note. `splitter` gives sentence offsets (Kiwi); a regex is the fallback.
    `pages` (the 1-based line each page starts on) makes every page boundary a cut: no chunk
    holds text of two pages, and each chunk knows its page."""
    lines = text.split("\n")
    sections = _sections(lines)
    scopes = _heading_lines(lines)
    structured = any(sec.path for sec in sections)
    max_chars = config.max_chars if structured else config.plain_max_chars
    min_chars = config.min_chars
    chunks: list[Chunk] = []
    cur: list[_Block] = []
    cur_path: tuple[str, ...] = ()
    cur_parent: tuple[str, ...] | None = None
    size = 0

    def flush() -> None:
        nonlocal cur, size
        if cur and not all(b.heading for b in cur):  # a lone heading line is no chunk
            chunks.append(_make_chunk(source, cur_path, cur, pages, scopes))
        cur, size = [], 0

    for sec in sections:
        if sec.parent != cur_parent:
            flush()
            cur_parent = sec.parent
        # A new lettered sub-section is a good place to cut once the chunk has some body;
        # a minor label ("성능 비교:") only when the chunk is already well filled.
        cut_at = min_chars if sec.level <= ENUM_LEVEL else int(max_chars * 0.6)
        if cur and size >= cut_at and not all(b.heading for b in cur):
            flush()
        # Pieces of an over-long block leave room for the heading line that may open the chunk.
        pieces = (p for b in sec.blocks for p in (
            [b] if len(b.text) <= max_chars else _split_block(b, max_chars - HEADING_ROOM, splitter)))
        for piece in pieces:
            if cur and pages and page_at(pages, piece.start + 1) != page_at(pages, cur[0].start + 1):
                flush()  # a new page: the chunk so far stays on its own page
            if cur and size + len(piece.text) + 2 > max_chars and not all(b.heading for b in cur):
                carry: list[_Block] = []
                while cur and cur[-1].heading:  # a heading line goes with the body it opens
                    carry.insert(0, cur.pop())
                    size -= len(carry[0].text) + 2
                flush()
                cur, size = carry, sum(len(b.text) + 2 for b in carry)
                if carry:
                    cur_path = sec.path
            if cur and size + len(piece.text) + 2 > max_chars:
                # only heading lines wait here: they live on in the heading path
                cur, size = [], 0
            if not cur:
                cur_path = sec.path
            cur.append(piece)
            size += len(piece.text) + 2  # blocks are joined with a blank line
    flush()
    return [c for c in chunks if c.text]
