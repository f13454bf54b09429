"""The notes' items per section, for studying toward the exam: how many facts each section
holds (a 모의고사's shares, the plan's items never shown to a learner), the items of a
모의고사 — 문제 시나리오 → 정답 first wherever a section has one — and fresh items on facts a
learner has not met yet.

A *fact* is what one item tests (a line of the notes, `Candidate.fact`); the notes give several
items per fact (both directions of a 시험 포인트, an O/X, a cloze …), so a section's size is its
facts, not its items, and an item shown covers its fact. Template items only: their answers are
the notes' own words, so every learner and every day is graded against the same thing.
"""
from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from retriever import NotesLibrary

from ..common.types import QuizItem
from .candidates import Candidate
from .pool import QuizPools

# A 모의고사 asks what a paper exam can: no flashcards (a card's back is recalled, not answered).
EXAM_KINDS = ("mcq", "ox", "short", "cloze")
# A first meeting with a fact: any kind, multiple choice first (it shows the neighbours too).
FRESH_KINDS = ("mcq", "short", "ox", "cloze", "flashcard")


def fact_of_item(item: QuizItem) -> str:
    """The fact a shown item tests, as `Candidate.fact` names it (its note and first line)."""
    return f"{item.source.source}:{item.source.lines[0]}"


def _rank(c: Candidate, kinds: Sequence[str]) -> int:
    """Scenario multiple choice first, then the kinds in the caller's order."""
    return 0 if c.kind == "mcq" and c.form == "scenario" else 1 + kinds.index(c.kind)


def _pick(cands: Sequence[Candidate], k: int, kinds: Sequence[str], rng: random.Random,
          reuse: bool = True) -> list[Candidate]:
    """`k` items, one per fact while facts last (then, with `reuse`, more of the same facts),
    the preferred kinds first and a seeded choice among equals."""
    pool = [c for c in cands if c.kind in kinds]
    rng.shuffle(pool)
    pool.sort(key=lambda c: _rank(c, kinds))  # stable: the shuffle decides among equals
    chosen: list[Candidate] = []
    facts: set[str] = set()
    questions: set[str] = set()
    for again in ((False, True) if reuse else (False,)):
        for c in pool:
            if len(chosen) >= k:
                return chosen
            if c.question in questions or (c.fact in facts and not again):
                continue
            chosen.append(c)
            facts.add(c.fact)
            questions.add(c.question)
    return chosen


@dataclass(frozen=True)
class NotesItems:
    """Every template item the notes give, per section title (in the notes' order)."""

    by_section: Mapping[str, tuple[Candidate, ...]]

    def facts(self, kinds: Sequence[str] = EXAM_KINDS) -> dict[str, int]:
        """Section → how many facts its items of `kinds` test."""
        out = {s: len({c.fact for c in cands if c.kind in kinds}) for s, cands in self.by_section.items()}
        return {s: n for s, n in out.items() if n}

    def unseen(self, shown: Iterable[QuizItem]) -> dict[str, int]:
        """Section → its facts that no item in `shown` tested yet."""
        covered = {fact_of_item(it) for it in shown}
        out = {s: len({c.fact for c in cands} - covered) for s, cands in self.by_section.items()}
        return {s: n for s, n in out.items() if n}

    def exam(self, shares: Mapping[str, int], seed: int) -> list[QuizItem]:
        """The items of a 모의고사: `shares[section]` from each section, in a seeded order."""
        rng = random.Random(f"exam:{seed}")
        chosen: list[Candidate] = []
        for section, cands in self.by_section.items():
            if shares.get(section, 0) > 0:
                chosen += _pick(cands, shares[section], EXAM_KINDS, rng)
        rng.shuffle(chosen)  # sections mixed, as an exam paper mixes them
        return [c.to_item() for c in chosen]

    def fresh(self, section: str, k: int, shown: Iterable[QuizItem], seed: int) -> list[QuizItem]:
        """Up to `k` items of `section` on facts no item in `shown` tested yet, one per fact."""
        covered = {fact_of_item(it) for it in shown}
        cands = [c for c in self.by_section.get(section, ()) if c.fact not in covered]
        return [c.to_item() for c in _pick(cands, k, FRESH_KINDS, random.Random(f"fresh:{seed}"), reuse=False)]


def notes_items(library: NotesLibrary, seed: int = 0) -> NotesItems:
    """The notes' items with the options of `seed` (seed 0's are made once per index generation)."""
    def build() -> NotesItems:
        pool = QuizPools().pool(library)  # the live generation's pool, shared with every quiz
        groups: dict[str, list[Candidate]] = defaultdict(list)
        for c in (pool.finish(d, seed) for d in pool.drafts):
            if c is not None:
                groups[c.section.title].append(c)
        return NotesItems({s: tuple(cs) for s, cs in groups.items()})

    return library.memo("tutor:notes-items", build) if seed == 0 else build()


__all__ = ["EXAM_KINDS", "FRESH_KINDS", "NotesItems", "fact_of_item", "notes_items"]
