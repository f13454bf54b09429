"""A 단원 요약 from the notes' structure, with no LLM: per section the 문제 시나리오 and its 정답,
key terms with their one-line definitions, 시험 포인트, ✅ when to use / ❌ when not (the
traps), the numbers worth memorising, and — joined in by the caller — the learner's misses.

Plain notes without that pattern still get a guide: their defining first sentence and the
lines most other lines of the section share words with stand in for 시험 포인트, table rows and
`- 용어: 설명` bullets are the terms, and every line with a number counts. A section never comes
out empty: when nothing else is found its first lines are its points.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from typing import Iterable, Sequence

from retriever.structure import NotesStructure, Section, Unit, plain

from ..common.lines import Line, section_lines
from ..common.question_type import full_amounts
from ..common.types import SourceRef
from .model import Guide, GuideLine, GuideNumber, GuideSection, GuideTerm, Missed, UnknownSection

MAX_TERMS = 8
MAX_LIST = 6  # ✅ / ❌ lines
MAX_NUMBERS = 8
MAX_KEY_LINES = 3  # key sentences of a plain section
_MARK_RE = re.compile(r"^(?:✅|❌|🔶|❓|⭕|✔️|✔|✖)\s*")
_TRAP_SUB_RE = re.compile(r"부적합|부적절|오답|단점|주의|한계|함정|고려")
_PAREN_SUB_RE = re.compile(r"^(?:[A-Za-z가-하][.)]\s+)?(.+?)\s*\((오답|부분적[^)]*)\)$")
_DEFINES_RE = re.compile(r"(?:은|는|이란|란)\s.+(?:이다|다|입니다|이며|한다)[.。]?$")
_WORD_RE = re.compile(r"[가-힣]{2,}|[A-Za-z][A-Za-z0-9]+")
_NUMERIC_CELL_RE = re.compile(r"^[\d,.~/\- ]*\d[\d,.~/\- ]*$")


def _ref(sec: Section, unit: Unit | None, first: int, last: int | None = None) -> SourceRef:
    return SourceRef(sec.source, sec.ref_heading(unit), (first, last or first), sec.page_at(first),
                     ocr=sec.scanned_at(first))


def _text(u: Unit) -> str:
    """A unit as plain text without its ✅/❌ mark."""
    return _MARK_RE.sub("", plain(u.text))


def _line(sec: Section, u: Unit, text: str | None = None) -> GuideLine:
    return GuideLine(text if text is not None else _text(u), _ref(sec, u, u.line, u.line_end))


def _terms(sec: Section) -> tuple[GuideTerm, ...]:
    """`- **X**: Y` / `- X: Y` bullets and table rows named by a word (not a bare number)."""
    out: list[GuideTerm] = []
    seen: set[str] = set()
    for u in sec.units:
        if not (u.term and u.value) or u.kind not in ("bullet", "row") or u.mark:
            continue
        key = u.term.lower()
        if key in seen:
            continue
        seen.add(key)
        out.append(GuideTerm(u.term, u.value, _ref(sec, u, u.line, u.line_end)))
        if len(out) >= MAX_TERMS:
            break
    return tuple(out)


def _trap_text(u: Unit) -> str:
    """A trap line, named after the wrong option it belongs to ("데이터 복사 방식 — …")."""
    m = _PAREN_SUB_RE.match(u.sub or "")
    return f"{m.group(1)} — {_text(u)}" if m else _text(u)


def _use_avoid(sec: Section) -> tuple[tuple[GuideLine, ...], tuple[GuideLine, ...]]:
    use = [_line(sec, u) for u in sec.units if u.mark == "✅"]
    avoid = [_line(sec, u, _trap_text(u)) for u in sec.units
             if u.mark in ("❌", "✖", "🔶", "❓")
             or (u.kind == "bullet" and not u.mark and u.sub and _TRAP_SUB_RE.search(u.sub))]
    return tuple(use[:MAX_LIST]), tuple(avoid[:MAX_LIST])


def _number_rank(ln: Line, amount: str) -> tuple[int, int]:
    money_or_share = amount[:1] in "$₩€" or "%" in amount or amount.endswith(("원", "달러"))
    return (0 if money_or_share else 1) + (1 if ln.kind == "code" and not ln.label else 0), ln.line


def _numbers(sec: Section) -> tuple[GuideNumber, ...]:
    """Lines holding a number with a unit (a table row: a numeric cell), prices and shares
    first, at most MAX_NUMBERS of them, shown in note order."""
    found: list[tuple[tuple[int, int], str, Line]] = []
    seen: set[str] = set()
    for ln in section_lines(sec):
        if ln.kind in ("scenario", "answer"):
            continue
        # "비용 = 2시간 × 5 DPU × $0.22 = $2.2/일": the result, after the last "=", first
        tail = ln.text.rsplit("=", 1)[-1] if "=" in ln.text else ""
        amts = list(dict.fromkeys(full_amounts(tail) + full_amounts(ln.text)))
        if not amts and ln.kind == "row":
            amts = [c for c in ln.unit.cells[1:] if _NUMERIC_CELL_RE.match(c)]
        amts = [a for a in amts if a not in seen]
        if not amts:
            continue
        seen.update(amts)
        found.append((_number_rank(ln, amts[0]), " · ".join(amts[:2]), ln))
    kept = sorted(found, key=lambda x: x[0])[:MAX_NUMBERS]
    return tuple(GuideNumber(a, plain(ln.text), _ref(sec, ln.unit, ln.line))
                 for _, a, ln in sorted(kept, key=lambda x: x[2].line))


def _key_lines(sec: Section, terms: tuple[GuideTerm, ...]) -> tuple[GuideLine, ...]:
    """A plain section's points: its first defining sentence, then the lines sharing words
    with the most other lines of the section (the lines the rest point to; not the terms)."""
    shown = {(t.source.source, t.source.lines[0]) for t in terms}
    cands = [u for u in sec.units if u.kind in ("text", "bullet", "pro", "con") and (sec.source, u.line) not in shown]
    if not cands:
        return ()
    words = [set(w.lower() for w in _WORD_RE.findall(plain(u.text))) for u in cands]
    df = Counter(w for ws in words for w in ws)
    limit = max(2, len(cands) // 2)  # words in most lines say nothing about any one
    shared = [{w for w in ws if 1 < df[w] <= limit} for ws in words]
    links = [sum(1 for j, other in enumerate(shared) if j != i and ws & other) for i, ws in enumerate(shared)]
    first = next((i for i, u in enumerate(cands) if u.kind == "text" and _DEFINES_RE.search(plain(u.text))), None)
    order = sorted(range(len(cands)), key=lambda i: (-links[i], cands[i].line))
    picked = ([first] if first is not None else []) + [i for i in order if i != first and links[i] > 0]
    picked = sorted(picked[:MAX_KEY_LINES], key=lambda i: cands[i].line)
    return tuple(_line(sec, cands[i]) for i in picked)


def guide_section(sec: Section) -> GuideSection:
    """The guide of one section (never empty: its first lines when nothing else is found)."""
    terms = _terms(sec)
    points = tuple(_line(sec, u, f"{u.term} = {u.value}" if u.term else None) for u in sec.points)
    if not points:
        points = _key_lines(sec, terms)
    use, avoid = _use_avoid(sec)
    g = GuideSection(sec.title, _ref(sec, None, *sec.lines),
                     _line(sec, sec.scenario, sec.scenario.value) if sec.scenario else None,
                     _line(sec, sec.answer, sec.answer_text) if sec.answer else None,
                     terms, points, use, avoid, _numbers(sec))
    if not any((g.scenario, g.answer, g.terms, g.points, g.use, g.avoid, g.numbers)):
        g = replace(g, points=tuple(_line(sec, u, plain(u.display().removeprefix("- "))[:300])
                                    for u in sec.units[:MAX_KEY_LINES]))
    return g


def _norm(text: str) -> str:
    return re.sub(r"[\s\W_]+", "", text).lower()


def select_sections(structure: NotesStructure, wanted: str | None) -> list[Section]:
    """The sections whose title (or heading path) holds `wanted` — spaces, punctuation and case
    ignored; a bare number picks the section numbered so. All of them for None;
    UnknownSection listing the titles when nothing matches."""
    sections = list(structure.sections)
    if not wanted or not wanted.strip():
        return sections
    w = wanted.strip()
    if w.rstrip(".").isdigit():
        hits = [s for s in sections if re.match(rf"^{int(w.rstrip('.'))}[.)]\s", s.title)]
    else:
        hits = [s for s in sections if _norm(w) and (_norm(w) in _norm(s.title) or _norm(w) in _norm(s.heading))]
    if not hits:
        raise UnknownSection(w, tuple(dict.fromkeys(s.title for s in sections)))
    return hits


def build_guide(structure: NotesStructure, wanted: str | None = None) -> Guide:
    """The guide of the notes, or of the sections matching `wanted` (see `select_sections`)."""
    return Guide(tuple(guide_section(s) for s in select_sections(structure, wanted)))


def attach_missed(guide: Guide, missed: Iterable[Missed], user: str = "") -> Guide:
    """The guide with each missed item under its section: the one holding the item's source
    line, else the one of its title."""
    by_section: dict[int, list[Missed]] = {}
    secs: Sequence[GuideSection] = guide.sections
    for m in missed:
        i = next((k for k, g in enumerate(secs) if g.source.source == m.source.source
                  and g.source.lines[0] <= m.source.lines[0] <= g.source.lines[1]), None)
        if i is None:
            i = next((k for k, g in enumerate(secs) if g.section == m.section), None)
        if i is not None:
            by_section.setdefault(i, []).append(m)
    return Guide(tuple(replace(g, missed=tuple(by_section.get(k, ()))) for k, g in enumerate(secs)), user)
