"""Multiple-choice items from code blocks and figures.

  settings  a setting line of a code block ("'projection.enabled' = 'true'"): asked by its
            comment ("비용 최적화 모드"), as the switch that turns a feature on, or by its
            value; the other settings of the same block are the distractors.
  numbers   a line with a number and a unit, the number blanked; the distractors are other
            numbers of the same unit from the section, then the notes, then the same number
            scaled (x0.5, x2 …) when the notes have too few.
Every item is a draft: its options are chosen when a quiz is made (`pool.finish`).
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Sequence

from ..common.lines import Line, section_lines
from ..common.question_type import UNIT_RE
from .candidates import BLANK, Candidate, Far, Tier, fact_of
from .mcq import topic
from .options import clean_option
from retriever.structure import Section, Unit

_SETTING_LINE_RE = re.compile(
    r"""^(?P<key>['"]?[A-Za-z_][\w.\-]*['"]?)\s*(?P<op>=|:)\s*(?P<value>[^#\n]+?)\s*,?\s*(?:(?:#|//|--)\s*(?P<note>.*))?$""")
# a setting's value: a quoted string, a number, a boolean or one bare token
_VALUE_RE = re.compile(r"""'[^']*'|"[^"]*"|-?[\d.,]+|true|false|True|False|None|null|[\w.\-/:]+""")
_ENABLE_RE = re.compile(r"enabled?$|activate", re.I)
VALUE_ITEMS_PER_BLOCK = 2


@dataclass(frozen=True)
class Setting:
    line: Line
    key: str  # without quotes
    text: str  # the setting as written, without its comment and trailing comma
    value: str  # without quotes
    note: str  # its inline comment, or ""


def settings_of(unit_lines: list[Line]) -> list[Setting]:
    out = []
    for ln in unit_lines:
        m = _SETTING_LINE_RE.match(ln.code)
        if not m:
            continue
        value = m.group("value").strip().rstrip(",").strip()
        if not _VALUE_RE.fullmatch(value):  # a call, a sum, a sentence: not a setting
            continue
        text = f"{m.group('key')}{' ' if m.group('op') == '=' else ''}{m.group('op')} {value}"
        out.append(Setting(ln, m.group("key").strip("'\""), text, value.strip("'\""), (m.group("note") or "").strip()))
    return out


def _blocks(sec: Section) -> dict[Unit, list[Line]]:
    blocks: dict[Unit, list[Line]] = {}
    for ln in section_lines(sec):
        if ln.kind == "code":
            blocks.setdefault(ln.unit, []).append(ln)
    return blocks


def setting_mcqs(sec: Section, rng: random.Random) -> list[Candidate]:
    """`rng` (the section's own) picks which values are asked."""
    out: list[Candidate] = []
    blocks = _blocks(sec)
    everywhere = tuple(s.text for lines in blocks.values() for s in settings_of(lines))
    for unit, lines in blocks.items():
        sets = settings_of(lines)
        if len(sets) < 3:
            continue
        where = clean_option(unit.sub) or topic(sec)
        texts = [s.text for s in sets]
        for s in sets:
            if s.note and re.search(r"[가-힣]", s.note):
                stem = f"[{topic(sec)}] '{where}' 코드에서 「{s.note}」에 해당하는 설정은?"
            elif _ENABLE_RE.search(s.key) and s.value.lower() in ("true", "1", "yes", "on"):
                stem = f"[{topic(sec)}] '{where}' 코드에서 기능을 켜는(활성화하는) 설정은?"
            else:
                continue
            out.append(_item(sec, s, stem, s.text, (tuple(t for t in texts if t != s.text), everywhere)))
        out += _value_items(sec, sets, where, rng)
    return out


def _value_items(sec: Section, sets: list[Setting], where: str, rng: random.Random) -> list[Candidate]:
    out = []
    usable = [s for s in sets if s.value and s.value.lower() not in s.key.lower()
              and sum(t.value == s.value for t in sets) == 1 and sum(t.key == s.key for t in sets) == 1]
    for s in rng.sample(usable, min(VALUE_ITEMS_PER_BLOCK, len(usable))):
        stem = f"[{topic(sec)}] '{where}' 코드에서 {s.key}의 값은?"
        same_kind = tuple(t.value for t in sets if t is not s and _is_number(t.value) == _is_number(s.value))
        out.append(_item(sec, s, stem, s.value, (same_kind, tuple(t.value for t in sets if t is not s))))
    return out


def _item(sec: Section, s: Setting, stem: str, answer: str, pools: Sequence[Tier]) -> Candidate:
    expl = f"노트의 코드: {s.line.code}"
    return Candidate("mcq", stem, (), clean_option(answer), expl, sec, s.line.unit,
                     f"{fact_of(sec, s.line.unit)}:{s.line.line}", form="setting", pools=tuple(pools))


def _is_number(v: str) -> bool:
    return bool(re.fullmatch(r"[\d.,]+", v.strip()))


def unit_sign(token: str) -> str:
    """"$0.22" → "$#", "30초" → "#초": what makes two amounts comparable."""
    return re.sub(r"\d[\d,]*(?:\.\d+)?", "#", token).replace(" ", "")


def scaled(token: str) -> list[str]:
    """The same amount scaled, written the same way (distractors of last resort)."""
    m = re.search(r"\d[\d,]*(?:\.\d+)?", token)
    if not m:
        return []
    raw = m.group(0)
    value = float(raw.replace(",", ""))
    decimals = len(raw.split(".")[1]) if "." in raw else 0
    out = []
    for f in (0.5, 2, 1.5, 3, 0.25, 4):
        v = value * f
        if decimals == 0 and v != int(v):
            continue
        s = f"{v:,.{decimals}f}" if "," in raw else f"{v:.{decimals}f}"
        out.append(token[:m.start()] + s + token[m.end():])
    return out


def _amounts(text: str) -> list[tuple[str, str, int, int]]:
    """(amount, its unit sign with a following rate such as "/DPU-hour", start, end)."""
    out = []
    for m in UNIT_RE.finditer(text):
        rate = re.match(r"/[\w-]+", text[m.end():])
        out.append((m.group(0).strip(), unit_sign(m.group(0)) + (rate.group(0) if rate else ""), m.start(), m.end()))
    return out


def amounts_of(sec: Section) -> list[tuple[str, str]]:
    """(amount, unit sign) of every amount in a section's units: what other sections' number
    items may take as distractors (`Far("amount:<sign>")`)."""
    return [(a, sg) for u in sec.units for a, sg, _, _ in _amounts(u.plain)]


def number_mcqs(sec: Section) -> list[Candidate]:
    lines = [ln for ln in section_lines(sec) if ln.kind in ("code", "bullet", "text", "pro", "con", "point")]
    here = [a for ln in lines for a in _amounts(clean_option(ln.text))]
    out = []
    for ln in lines:
        text = clean_option(ln.text)  # a code line keeps its label: "FLEX 클래스: 요청 대기 → …"
        found = _amounts(text)
        if not found or len(text) > 110 or len(re.findall(r"[가-힣A-Za-z]", text)) < 4:
            continue
        token, sign, start, end = found[-1]
        blanked = text[:start] + BLANK + text[end:]
        if token in blanked:
            continue
        stem = f"[{topic(sec)}] 빈칸에 들어갈 값은?\n{blanked}"
        base = unit_sign(token)
        pools: tuple[Tier, ...] = (tuple(a for a, sg, _, _ in here if sg == sign), Far(f"amount:{sign}"),
                                   tuple(a for a, sg, _, _ in here if unit_sign(a) == base), tuple(scaled(token)))
        out.append(Candidate("mcq", stem, (), token, f"노트: {text}", sec, ln.unit,
                             f"{fact_of(sec, ln.unit)}:{ln.line}:num", form="number", pools=pools))
    return out
