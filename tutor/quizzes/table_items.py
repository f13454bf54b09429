"""Items from the tables of a note: every row names a thing (its first cell) and its values
by column. A row's cell is asked by the row and the column ("다음 중 SSH의 포트는?"), the row
by a cell ("포트가 '22'인 서비스는?"); the distractors are the same column's other cells, so
all four options look alike. A comparison table ("구분 | TCP | UDP") is asked the other way:
"TCP의 연결 방식은?", and the other side of the same row is the first distractor.
O/X, short answers and flashcards come from the same cells; an O/X shows another row's cell
of the same column as its false value only when the cells are short (a port, a layer, a
protocol: one is clearly not the other), and says what O and X mean.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..common.particles import josa
from .candidates import COPULA, SHOWN, Candidate, fact_of
from .mcq import topic
from .options import clean_option, leaks
from .structured import OX_HOW
from retriever.structure import Section, Unit

_COMPARE_HEAD_RE = re.compile(r"^(구분|항목|비교|특징|기준|비교 항목|속성|)$")
MAX_CELL = 40
SHORT_CELL = 20  # a cell this short names a thing: another row's is clearly not it


@dataclass(frozen=True)
class Cell:
    row: Unit
    col: int  # column index (≥ 1)
    head: str  # the column's header
    value: str


def tables(sec: Section) -> list[list[Unit]]:
    """The section's tables: runs of row units with the same header."""
    out: list[list[Unit]] = []
    for u in sec.units:
        if u.kind != "row":
            continue
        if out and out[-1][-1].cols == u.cols and u.line - out[-1][-1].line <= 2:
            out[-1].append(u)
        else:
            out.append([u])
    return [t for t in out if len(t) >= 2 and len(t[0].cols) >= 2]


def _key(row: Unit) -> str:
    """How a row is named in a question: "SSH", or "계층 '7'" for a bare number or letter."""
    first = row.cells[0] if row.cells else row.term
    head = row.cols[0] if row.cols else ""
    return f"{head} '{first}'" if head and (len(first) <= 2 or first.isdigit()) else first


def _cells(table: list[Unit]) -> list[Cell]:
    out = []
    for row in table:
        for j, v in enumerate(row.cells[1:], start=1):
            if v and j < len(row.cols) and len(v) <= MAX_CELL:
                out.append(Cell(row, j, row.cols[j], v))
    return out


def _unique(cell: Cell, cells: list[Cell]) -> bool:
    return sum(c.col == cell.col and c.value == cell.value for c in cells) == 1


def table_candidates(sec: Section) -> list[Candidate]:
    out: list[Candidate] = []
    for table in tables(sec):
        cells = _cells(table)
        compare = bool(_COMPARE_HEAD_RE.match(table[0].cols[0].strip()))
        for c in cells:
            if not _unique(c, cells):
                continue
            out += _cell_items(sec, c, cells, compare)
        if not compare:
            out += _row_items(sec, table, cells)
    return [c for c in out if c.kind == "ox" or not leaks(c.answer, c.question)]


def _ask(sec: Section, c: Cell, compare: bool) -> str:
    if compare:  # "구분 | TCP | UDP": the column is the thing, the row the property
        return f"[{topic(sec)}] {c.head}의 {josa(c.row.cells[0], '은/는')}?"
    return f"[{topic(sec)}] {_key(c.row)}의 {josa(c.head, '은/는')}?"


def _cell_items(sec: Section, c: Cell, cells: list[Cell], compare: bool) -> list[Candidate]:
    fact = f"{fact_of(sec, c.row)}:{c.col}"
    expl = f"노트의 표: {c.row.term} — {c.row.value}"
    ask = _ask(sec, c, compare)
    same_row = tuple(x.value for x in cells if x.row is c.row and x.col != c.col)
    same_col = tuple(x.value for x in cells if x.col == c.col and x.row is not c.row)
    stem = ask.replace("] ", "] 다음 중 ", 1)
    out = [Candidate("mcq", stem, (), clean_option(c.value), expl, sec, c.row, fact, form="table",
                     pools=(same_row, same_col) if compare else (same_col,))]
    if len(c.value) <= 20:
        out.append(Candidate("short", ask, (), c.value, expl, sec, c.row, fact))
    wrong = tuple(v for v in (same_row if compare else same_col)
                  if v != c.value and len(v) <= SHORT_CELL and len(c.value) <= SHORT_CELL)
    subject = f"{c.head}의 {c.row.cells[0]}" if compare else f"{_key(c.row)}의 {c.head}"
    out.append(Candidate("ox", f"[{topic(sec)}] {OX_HOW}:\n{josa(subject, '은/는')} 「{SHOWN}」{COPULA}.",
                         ("O", "X"), "O", "맞습니다. " + expl, sec, c.row, fact, wrong=(wrong,), shown=c.value, truth=c.value,
                         label=subject, explain_false=f"틀렸습니다. 노트에는 「{c.value}」입니다. {expl}"))
    return out


def _row_items(sec: Section, table: list[Unit], cells: list[Cell]) -> list[Candidate]:
    """The row by one of its cells (one per row in a quiz), and a flashcard per row."""
    out = []
    names = [r.cells[0] for r in table if r.cells]
    head0 = table[0].cols[0] or "항목"
    for row in table:
        if not row.cells or names.count(row.cells[0]) != 1:
            continue
        others = tuple(n for n in names if n != row.cells[0])
        for c in (c for c in cells if c.row is row and _unique(c, cells)):
            stem = f"[{topic(sec)}] 다음 중 {josa(c.head, '이/가')} '{c.value}'인 {josa(head0, '은/는')}?"
            out.append(Candidate("mcq", stem, (), row.cells[0], f"노트의 표: {row.term} — {row.value}",
                                 sec, row, f"{fact_of(sec, row)}:row", form="table", pools=(others,)))
        if row.value:
            out.append(Candidate("flashcard", f"[{topic(sec)}] {_key(row)}", (), row.value,
                                 f"노트의 표: {row.term} — {row.value}", sec, row, f"{fact_of(sec, row)}:card"))
    return out
