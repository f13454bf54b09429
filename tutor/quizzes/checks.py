"""The item-writing check: named rules every quiz item — template or LLM-written — keeps
before it is shown. An item that breaks one is turned away and the quiz takes an item from
another unit of the notes; `RULES` names each rule and `RuleTable` counts which rule each
turned-away item broke (`python -m bench.quiz_quality` reports the shares).

Words are compared as Kiwi content terms (`Lexicon.terms`: nouns, verb stems, Latin words,
Hangul spellings folded onto English names), never as raw substrings: "자동 업데이트" is found
in "…업데이트하면 자동으로…", and 워크그룹 in "[Amazon Athena Workgroup …]".
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from .candidates import BLANK, Candidate
from .lexicon import NOUN_TAGS, Lexicon
from .mcq import side_of
from .options import clean_option, squash

RULES: dict[str, str] = {
    "answer_in_prompt": "the answer's content terms all appear in the question itself",
    "header_has_answer": "the header shown with the item holds every content term of the answer",
    "raw_label": "the header shows a notes label raw: (오답), (부분적), ❌ …",
    "cloze_low_info": "the blank is no key term: a particle, an ending, a verb or one everyday noun",
    "ox_label_swap": "an O/X shown false with another label's value from the same list, not clearly false",
    "flashcard_restates": "the back of a flashcard says what its front says",
    "mcq_all_true": "every option is a line of one ✅/❌ list: all of them true of the list's subject",
}
REPAIRABLE = ("header_has_answer", "raw_label")  # fixed by dropping the header
_RAW_LABELS = ("(오답)", "(부분적)", "(정답)", "❌", "✅", "🔶")
_HEADER_RE = re.compile(r"^\[([^\n]*?)\] ")
RESTATED = 0.75  # a flashcard back with this share of its terms on the front says it again
SHORT_VALUE = 20  # two values this short (table cells, names) are clearly not each other
_DIGITS_RE = re.compile(r"\d+(?:[.,]\d+)?")


def split_header(question: str) -> tuple[str, str]:
    """("Amazon Athena …", the rest) for "[Amazon Athena …] 빈칸에 …"; ("", question) without one."""
    m = _HEADER_RE.match(question)
    return (m.group(1), question[m.end():]) if m else ("", question)


@dataclass
class RuleTable:
    """Which rule each turned-away item broke, and how many items were looked at."""

    broken: Counter = field(default_factory=Counter)
    checked: int = 0
    repaired: int = 0
    examples: dict = field(default_factory=dict)  # rule → a few (question, answer) it turned away

    def add(self, rules: tuple[str, ...], c: Candidate | None = None) -> None:
        self.checked += 1
        self.broken.update(rules)
        for r in rules:
            if c is not None and len(self.examples.setdefault(r, [])) < 5:
                self.examples[r].append((c.question, c.answer))

    def merge(self, other: "RuleTable") -> None:
        self.broken.update(other.broken)
        self.checked += other.checked
        self.repaired += other.repaired
        for r, ex in other.examples.items():
            self.examples.setdefault(r, []).extend(ex[: max(0, 5 - len(self.examples.get(r, [])))])

    def shares(self) -> dict[str, float]:
        return {r: self.broken[r] / self.checked if self.checked else 0.0 for r in RULES}


class Checks:
    """The rules over one lexicon (its caches make a pool's checks cheap)."""

    def __init__(self, lex: Lexicon) -> None:
        self.lex = lex

    def broken(self, c: Candidate) -> tuple[str, ...]:
        """The rules `c` breaks (for a draft, those that can be told before it is finished)."""
        header, prompt = split_header(c.question)
        out = []
        if c.kind != "ox" and self._all_in(c.answer, prompt.replace("____", " ")):
            out.append("answer_in_prompt")
        if header and c.kind != "ox" and self._all_in(c.answer, header):
            out.append("header_has_answer")
        if any(m in header for m in _RAW_LABELS):
            out.append("raw_label")
        if c.kind == "cloze" and self._low_info_blank(c):
            out.append("cloze_low_info")
        if c.kind == "flashcard" and self._restates(c, prompt):
            out.append("flashcard_restates")
        if c.kind == "ox" and not c.is_draft and self._label_swap(c):
            out.append("ox_label_swap")
        if c.kind == "mcq" and c.options and self._all_true(c):
            out.append("mcq_all_true")
        return tuple(out)

    def repair(self, c: Candidate, rules: tuple[str, ...]) -> Candidate:
        """The item without its header when only the header broke a rule (else unchanged)."""
        if rules and all(r in REPAIRABLE for r in rules):
            return replace(c, question=split_header(c.question)[1])
        return c

    def vet(self, c: Candidate, table: RuleTable | None = None) -> Candidate | None:
        """`c` repaired, or None when it breaks a rule; the verdict is counted in `table`."""
        rules = self.broken(c)
        fixed = self.repair(c, rules)
        if fixed is not c:
            rules = self.broken(fixed)
            if table is not None:
                table.repaired += 1
        if table is not None:
            table.add(rules, fixed)
        return None if rules else fixed

    # -- the rules ----------------------------------------------------------------------
    def _all_in(self, answer: str, text: str) -> bool:
        answer = clean_option(answer)
        need = self.lex.term_set(answer)
        if not need or not need <= self.lex.term_set(text):
            return False
        if any(m.tag == "XPN" for m in self.lex.morphemes(answer)):  # 비연결형 is not 연결: the
            return squash(answer) in squash(text)                   # prefix must be there too
        return True

    def _blank_morphemes(self, c: Candidate) -> list:
        """The morphemes of the blank read in its sentence (a lone "를" would pass for a noun)."""
        body = split_header(c.question)[1].split("\n", 1)[-1]
        at = body.find(BLANK)
        if at < 0:
            return list(self.lex.morphemes(c.answer))
        text = body.replace(BLANK, c.answer, 1)
        end = at + len(c.answer)
        return [m for m in self.lex.morphemes(text) if m.start < end and m.end > at]

    def _low_info_blank(self, c: Candidate) -> bool:
        ms = self._blank_morphemes(c)
        if not any(m.tag.startswith(NOUN_TAGS) or m.tag in ("SN", "NR") for m in ms):
            return bool(ms)  # a particle, an ending, a verb (no morphemes at all: unknown)
        if not self.lex.common(c.answer):
            return False
        own = {clean_option(u.term) for u in c.section.units if u.term}
        return clean_option(c.answer) not in own  # the notes' own bold term is a key term

    def _restates(self, c: Candidate, front: str) -> bool:
        if c.unit is not None and c.unit.kind in ("pro", "con"):
            return True  # a ✅/❌ claim and its reason say one thing twice
        f, b = self.lex.term_set(front), self.lex.term_set(c.answer)
        if not b:
            return False
        return len(f & b) / len(b) >= RESTATED or (bool(f) and f <= b and len(b - f) <= 1)

    def _label_swap(self, c: Candidate) -> bool:
        u = c.unit
        if c.answer != "X" or u is None or not c.shown:
            return False
        shown = clean_option(c.shown)
        sibs = [v for v in c.section.units if v is not u and v.kind == u.kind and v.sub == u.sub]
        if u.kind == "row":  # another row's cell: compare with this row's cell of that column
            cols = [j for v in sibs for j, cell in enumerate(v.cells) if cell == shown]
            truth = u.cells[cols[0]] if cols and cols[0] < len(u.cells) else None
        else:
            truth = clean_option(c.truth) if shown in {clean_option(v.value) for v in sibs if v.value} else None
        if truth is None:
            return False  # another topic's fact: clearly false
        return not _clearly_different(truth, shown)

    def _all_true(self, c: Candidate) -> bool:
        lines = [u for u in c.section.units if side_of(u)]
        found = []
        for opt in c.options:
            unit = next((u for u in lines if opt in (clean_option(u.term), clean_option(u.value))), None)
            if unit is None:
                return False
            found.append((unit.sub, side_of(unit)))
        return len(set(found)) == 1


def _clearly_different(truth: str, shown: str) -> bool:
    """Two values no learner could take for each other: other numbers, or two short names."""
    if _DIGITS_RE.findall(truth) and _DIGITS_RE.findall(truth) != _DIGITS_RE.findall(shown):
        return True
    return 0 < len(truth) <= SHORT_VALUE and 0 < len(shown) <= SHORT_VALUE
