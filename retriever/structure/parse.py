"""Parse a note into sections of quotable units (see `sections.py` for what they are).

One pass over the lines with a small state: the heading stack, the current sub-section label,
whether we are in a 시험 포인트 list, an open code fence, and the paragraph being collected.
"""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterable

# the same Markdown line patterns the chunker cuts on, so sections line up with chunks
from ..chunking import ATX_RE, BOLD_LINE_RE, FENCE_RE, LABEL_RE, SECTION_LABELS, SENT_FALLBACK_RE
from ..readers import display_name
from .sections import HANGUL_RE, NotesStructure, Section, Unit, UnitKind, plain, table_cells

Splitter = Callable[[str], list[tuple[int, int]]]

_BULLET_RE = re.compile(r"^\s*(?:[-*+]|\d{1,2}[.)])\s+(.*)$")
_SCENARIO_RE = re.compile(r"^\*\*\s*문제\s*시나리오\s*\*\*\s*:\s*(.+)$")
_ANSWER_RE = re.compile(r"^\*\*\s*정답\s*(?::\s*(.+?)\s*\*\*|\*\*\s*:\s*(.+))\s*$")
_TERM_RE = re.compile(r"^\*\*(.+?)\*\*\s*(:|=)\s*(.+)$")
_MARKS = ("✅", "❌", "🔶", "❓", "⭕", "✔️", "✔", "✖")
_PLAIN_TERM_RE = re.compile(r"^([^:：*`]{1,24}?)\s*[:：]\s+(\S.{3,})$")
_NOT_TERMS = frozenset({"예", "예시", "참고", "주의", "단", "비고", "출처", "팁", "TIP", "Tip", "Note", "NB", "요약"})
_TABLE_SEP_RE = re.compile(r"^\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _sentences(text: str, splitter: Splitter | None) -> list[str]:
    spans: list[tuple[int, int]] = []
    if splitter is not None and HANGUL_RE.search(text):
        try:
            spans = splitter(text)
        except Exception:  # the regex below is good enough
            spans = []
    if not spans:
        spans = [(m.start(), m.end()) for m in SENT_FALLBACK_RE.finditer(text)]
    out = [text[s:e].strip() for s, e in spans]
    return [s for s in out if s]


def _label_of(line: str) -> str | None:
    """Sub-section title when the line is a bold-only or "label:" line."""
    m = BOLD_LINE_RE.match(line)
    if m:
        inner = m.group(1).strip()
        if "**" in inner or inner.startswith("정답"):
            return None
        if inner.endswith((":", "?")) or m.group(2) or re.match(r"^[A-Za-z가-하][.)]\s", inner):
            return inner.rstrip(":").strip()
        return None
    s = line.strip()
    if LABEL_RE.match(s) and "**" not in s and not _BULLET_RE.match(s):
        return s.rstrip(":").strip()
    return None


def _is_pseudo_heading(lines: list[str], i: int) -> bool:
    """A short title-like line of plain text ("제2장 자치법규 운영 현황", "1. 조례 제정 현황"):
    on its own between blank lines, no markdown emphasis, no sentence end."""
    s = lines[i - 1].strip()
    if not s or "**" in s or len(s) > 40 or not HANGUL_RE.search(s):
        return False
    if s.startswith(("-", "*", "+", ">", "|")) or re.search(r"([.?!。:]|다)$", s):
        return False
    before = lines[i - 2].strip() if i >= 2 else ""
    after = lines[i].strip() if i < len(lines) else ""
    return not before and not after


def _plain_term(body: str) -> tuple[str, str]:
    """("캡슐화", "상위 계층 …") of a plain "- 캡슐화: 상위 계층 …" bullet; ("", "") when the
    part before the colon is not a short name (a sentence, a URL, "예", "참고")."""
    m = _PLAIN_TERM_RE.match(body)
    if not m or m.group(1).strip() in _NOT_TERMS or len(m.group(1).split()) > 4:
        return "", ""
    return plain(m.group(1)), plain(m.group(2))


def _bullet_unit(body: str, line: int, sub: str, in_points: bool) -> Unit | None:
    if not re.search(r"[^\W\d_]", body):  # "- 14 -": a page number, not content
        return None
    mark = next((mk for mk in _MARKS if body.startswith(mk)), "")
    rest = body[len(mark):].strip() if mark else body
    tm = _TERM_RE.match(rest)
    term, value = (plain(tm.group(1)), plain(tm.group(3))) if tm else _plain_term(rest)
    if in_points and tm and tm.group(2) == "=":
        kind: UnitKind = "point"
    elif mark == "✅":
        kind = "pro"
    elif mark == "❌":
        kind = "con"
    else:
        kind = "bullet"
    return Unit(kind, body, line, line, sub, term, value, mark)


class _NoteParser:
    def __init__(self, source: str, lines: list[str], splitter: Splitter | None) -> None:
        self.source, self.lines, self.splitter = source, lines, splitter
        self.sections: list[Section] = []
        self.stack: list[tuple[int, str]] = []
        self.title, self.start = Path(display_name(source)).stem, 1
        self.units: list[Unit] = []
        self.sub, self.in_points = "", False
        self.fence: str | None = None
        self.code: list[str] = []
        self.code_start = 0
        self.para: list[tuple[int, str]] = []
        self.table_head: tuple[str, ...] | None = None  # header cells of the table being read

    def flush_para(self) -> None:
        para, sub = self.para, self.sub
        if not para:
            return
        first, last = para[0][0], para[-1][0]
        joined = " ".join(t.strip() for _, t in para)
        if len(para) == 1 and not HANGUL_RE.search(joined):
            self.units.append(Unit("text", joined, first, last, sub))
        else:
            for sent in _sentences(joined, self.splitter):
                # the line a sentence starts on: find its first words among the paragraph lines
                head = sent[:12]
                ln = next((n for n, t in para if head and head in t), first)
                self.units.append(Unit("text", sent, ln, last if ln == last else ln, sub))
        self.para = []

    def close(self, end: int) -> None:
        self.flush_para()
        if self.units:
            heading = " > ".join(t for _, t in self.stack)
            self.sections.append(Section(self.source, self.title, heading, (self.start, end), tuple(self.units)))
        self.units = []

    def in_fence(self, i: int, raw: str, line: str) -> None:
        fm = FENCE_RE.match(line)
        if fm and line.strip().startswith(self.fence or ""):
            lead = next((k for k, c in enumerate(self.code) if c), 0)  # empty lines strip() drops
            body = "\n".join(self.code).strip("\n")
            if body.strip():
                self.units.append(Unit("code", body, self.code_start + lead, i, self.sub))
            self.fence, self.code = None, []
        else:
            self.code.append(raw)

    def heading(self, i: int, level: int, text: str) -> None:
        self.close(i - 1)
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.stack.append((level, text.strip()))
        self.title, self.start, self.sub, self.in_points = text.strip(), i, "", False

    def structured_line(self, i: int, s: str) -> bool:
        """문제 시나리오 / 정답 lines and sub-section labels; False when the line is neither."""
        sm, am = _SCENARIO_RE.match(s), _ANSWER_RE.match(s)
        if sm or am:
            self.flush_para()
            if sm:
                self.units.append(Unit("scenario", s, i, i, self.sub, "문제 시나리오", plain(sm.group(1))))
            else:
                self.units.append(Unit("answer", s, i, i, self.sub, "정답", plain(am.group(1) or am.group(2))))
            return True
        label = _label_of(s)
        if label is None and _is_pseudo_heading(self.lines, i):
            label = re.sub(r"^\d{1,2}[.)]\s+", "", s).strip()
        if label is None:
            return False
        self.flush_para()
        self.sub, self.in_points = label, label in SECTION_LABELS
        return True

    def table_row(self, i: int, s: str) -> None:
        """The first line of a table is its header; each body row becomes one unit whose
        value names its cells by column ("포트: 22 · 계층: 전송")."""
        if self.table_head is None:
            self.table_head = table_cells(s)
            return
        if _TABLE_SEP_RE.match(s):
            return
        cells = table_cells(s)
        if not any(cells) or not re.search(r"[^\W_]", "".join(cells)):
            return
        head = self.table_head
        value = " · ".join(f"{h}: {c}" if h else c for h, c in zip(head[1:], cells[1:]) if c)
        self.units.append(Unit("row", s, i, i, self.sub, cells[0], value, "", head))

    def line(self, i: int, raw: str) -> None:
        line = raw.rstrip()
        if self.fence is not None:
            return self.in_fence(i, raw, line)
        if not line.lstrip().startswith("|"):
            self.table_head = None  # a table ends at its first other line
        fm = FENCE_RE.match(line)
        if fm or not line.strip():
            self.flush_para()
            if fm:
                self.fence, self.code, self.code_start = fm.group(1)[0] * 3, [], i + 1
            return None
        m = ATX_RE.match(line)
        if m:
            return self.heading(i, len(m.group(1)), m.group(2))
        s = line.strip()
        if s.startswith("|"):
            self.flush_para()
            return self.table_row(i, s)
        if self.structured_line(i, s):
            return None
        bm = _BULLET_RE.match(line)
        if bm:
            self.flush_para()
            unit = _bullet_unit(bm.group(1).strip(), i, self.sub, self.in_points)
            if unit is not None:
                self.units.append(unit)
            return None
        self.para.append((i, line))
        return None

    def run(self) -> list[Section]:
        for i, raw in enumerate(self.lines, start=1):
            self.line(i, raw)
        if self.fence is not None and self.code:
            self.units.append(Unit("code", "\n".join(self.code), self.code_start, len(self.lines), self.sub))
        self.close(len(self.lines))
        return self.sections


def parse_note(source: str, text: str, splitter: Splitter | None = None,
               pages: tuple[int, ...] = (), ocr_pages: tuple[int, ...] = ()) -> list[Section]:
    """Sections of one note, each with its quotable units in order."""
    sections = _NoteParser(source, text.split("\n"), splitter).run()
    return [replace(s, pages=pages, ocr_pages=ocr_pages) for s in sections] if pages else sections


def parse_notes(notes: Iterable[tuple], splitter: Splitter | None = None) -> NotesStructure:
    """`notes`: (source, text), (source, text, page starts) or (source, text, page starts,
    recognised pages) per note."""
    out: list[Section] = []
    for source, text, *paged in notes:
        pages, ocr_pages = (tuple(paged[0]) if paged else ()), (tuple(paged[1]) if len(paged) > 1 else ())
        out.extend(parse_note(source, text, splitter, pages, ocr_pages))
    return NotesStructure(tuple(out))
