"""The quiz pool: every template item the notes can give, made once per index generation and
finished per quiz — so a quiz costs a selection, not a generation.

Made per note: a note's drafts depend on that note alone (distractors from the other notes
are `Far` references, resolved when a quiz is made), so a new generation re-makes only the
notes whose sections changed; `QuizPools` keeps the others' drafts across generations.
Checked when made: a draft that breaks an item-writing rule that can be told early
(`checks`) never enters the pool. Finished per quiz: the options of a multiple-choice draft
and the truth of an O/X draft are chosen with the quiz's seed — each item on its own random
stream, `Random(f"finish:{seed}:{key}")`, so its options do not depend on the other items
drawn — then the item is checked again; one that cannot be finished or breaks a rule gives
way to the next candidate.

What changed for a given seed (issue 24): options used to come from one random stream over
the whole generation, so a seed may now get other distractors and O/X items other truths
than before; distractors from other notes are those of the current generation.
"""
from __future__ import annotations

import hashlib
import random
import threading
from dataclasses import dataclass, field, replace

from retriever import NotesLibrary
from retriever.structure import NotesStructure, Section

from ..common.particles import particle
from .candidates import COPULA, SHOWN, Candidate, Far, Tier
from .cards import cloze, flashcards
from .checks import Checks, RuleTable
from .code_items import amounts_of, number_mcqs, setting_mcqs
from .lexicon import Lexicon
from .mcq import family, mark_mcqs, mark_text, point_mcqs, scenario_mcq, service_words, side_of, term_mcqs
from .options import choose, clean_option, leaks
from .structured import ox, short
from .table_items import table_candidates

MEMO_KEY = "tutor:quiz-pool"
# an O/X draft is shown true this often: the ✅/❌ statements, whose truth is fixed, are
# mostly true (✅ lists are the longer), so a learner answering O every time gains nothing
SHOWN_TRUE = 0.45


@dataclass(frozen=True)
class Export:
    """One value a section lends other sections' items as a distractor."""

    key: str  # what it is: "answer", "point.value", "mark:-1", "amount:#초" …
    section: str  # the lending section's id
    words: frozenset[str]  # its service words (what makes two sections "near")
    value: str


def exports(sec: Section) -> list[Export]:
    w, sid = service_words(sec), sec.id
    out = [Export("answer", sid, w, sec.answer_text)] if sec.answer_text else []
    for p in sec.points:
        out += [Export("point.value", sid, w, p.value), Export("point.term", sid, w, p.term)]
    for u in sec.units:
        if side_of(u):
            out.append(Export(f"mark:{side_of(u)}", sid, w, mark_text(u)))
        if u.kind == "bullet" and u.term and len(u.value) >= 6:
            out.append(Export("def.value", sid, w, u.value))
    out += [Export(f"amount:{sign}", sid, w, a) for a, sign in amounts_of(sec)]
    return [e for e in out if e.value]


@dataclass(frozen=True)
class NoteItems:
    """A note's drafts, what its sections lend the others, and the rules its turned-away drafts broke."""

    source: str
    digest: str
    drafts: tuple[Candidate, ...]
    exports: tuple[Export, ...]
    table: RuleTable


def note_digest(sections: list[Section]) -> str:
    """What a note's items are made from (its sections' text and places, not the chunk table)."""
    h = hashlib.sha1()
    for s in sections:
        h.update(repr((s.source, s.title, s.heading, s.lines, s.units, s.pages)).encode("utf-8"))
    return h.hexdigest()


def _section_drafts(sec: Section, note: list[Section], lex: Lexicon) -> list[Candidate]:
    fam = family(sec, tuple(note))
    rng = random.Random(f"pool:{sec.source}:{sec.lines[0]}:{sec.title}")  # the section's own stream
    return (scenario_mcq(fam) + point_mcqs(fam) + mark_mcqs(fam) + term_mcqs(fam) + setting_mcqs(sec, rng)
            + number_mcqs(sec) + table_candidates(sec) + ox(fam) + short(sec) + flashcards(sec, lex)
            + cloze(sec, lex))


def make_note_items(source: str, sections: list[Section], lex: Lexicon) -> NoteItems:
    checks, table = Checks(lex), RuleTable()
    seen: set[str] = set()
    drafts = []
    for sec in sections:
        for c in _section_drafts(sec, sections, lex):
            if c.key in seen or (c.kind != "ox" and leaks(c.answer, c.question)):
                continue
            seen.add(c.key)
            kept = checks.vet(c, table)
            if kept is not None:
                drafts.append(kept)
    return NoteItems(source, note_digest(sections), tuple(drafts),
                     tuple(e for sec in sections for e in exports(sec)), table)


@dataclass
class Pool:
    """One index generation's items: the drafts in note order, the far distractors by key."""

    notes: dict[str, NoteItems]
    checks: Checks
    finished: RuleTable = field(default_factory=RuleTable)  # rules broken when finishing
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        seen: set[str] = set()
        drafts, far = [], {}
        for items in self.notes.values():
            for c in items.drafts:
                if c.key not in seen:
                    seen.add(c.key)
                    drafts.append(c)
            for e in items.exports:
                far.setdefault(e.key, []).append(e)
        self.drafts: tuple[Candidate, ...] = tuple(drafts)
        self.far: dict[str, tuple[Export, ...]] = {k: tuple(v) for k, v in far.items()}

    @property
    def table(self) -> RuleTable:
        """The rules broken by the drafts turned away when the pool was made."""
        out = RuleTable()
        for items in self.notes.values():
            out.merge(items.table)
        return out

    def resolve(self, tier: Tier, sec: Section) -> tuple[str, ...]:
        if not isinstance(tier, Far):
            return tier
        words = service_words(sec)
        return tuple(e.value for e in self.far.get(tier.key, ()) if e.section != sec.id
                     and (tier.near is None or bool(words & e.words) == tier.near))

    def finish(self, c: Candidate, seed: int) -> Candidate | None:
        """`c` ready to show for the quiz of `seed` and checked again; None when it cannot be."""
        if not c.is_draft:
            return c
        rng = random.Random(f"finish:{seed}:{c.key}")
        if c.kind == "mcq":
            pools = [self.resolve(t, c.section) for t in c.pools]
            opts = choose(c.answer, c.question, pools, rng, c.max_tier)
            done = replace(c, options=opts, pools=()) if opts else None
        else:
            done = self._statement(c, rng)
        if done is None:
            return None
        with self._lock:
            return self.checks.vet(done, self.finished)

    def _statement(self, c: Candidate, rng: random.Random) -> Candidate:
        """An O/X draft shown true, or (when it can be, 1 − `SHOWN_TRUE` of the time) false with
        a value from its `wrong` tiers."""
        truth = clean_option(c.shown)
        wrong: list[str] = []
        for tier in c.wrong:
            wrong = sorted({clean_option(v) for v in self.resolve(tier, c.section)} - {truth, ""})
            if wrong:
                break
        false = bool(wrong) and rng.random() >= SHOWN_TRUE
        shown = rng.choice(wrong) if false else truth
        question = c.question.replace(SHOWN, shown).replace(COPULA, particle(shown, "이다/다"))
        return replace(c, question=question, answer="X" if false else "O", shown=shown, truth=truth, wrong=(),
                       explanation=c.explain_false if false else c.explanation, explain_false="")


class QuizPools:
    """Keeps each note's drafts across index generations; `pool(library)` is the live
    generation's pool, made once per generation (only changed notes re-made)."""

    def __init__(self) -> None:
        self._notes: dict[str, NoteItems] = {}
        self._lex: Lexicon | None = None
        self._lock = threading.Lock()

    def lexicon(self, tokenizer) -> Lexicon:
        if self._lex is None or self._lex.tokenizer is not tokenizer:
            self._lex = Lexicon(tokenizer)
        return self._lex

    def pool(self, library: NotesLibrary) -> Pool:
        def build() -> Pool:
            with self._lock:  # one build at a time: the others wait, then reuse its notes
                return self.build(library.structure(), self.lexicon(library.tokenizer))
        return library.memo(MEMO_KEY, build)

    def build(self, struct: NotesStructure, lex: Lexicon) -> Pool:
        by_note: dict[str, list[Section]] = {}
        for sec in struct.sections:
            by_note.setdefault(sec.source, []).append(sec)
        notes = {}
        for source, sections in by_note.items():
            old = self._notes.get(source)
            same = old is not None and old.digest == note_digest(sections)
            notes[source] = old if same else make_note_items(source, sections, lex)  # type: ignore[assignment]
        self._notes = notes
        return Pool(notes, Checks(lex))


def build_pool(struct: NotesStructure, lex: Lexicon) -> Pool:
    """A pool made afresh (what `QuizPools` gives after any sequence of changes)."""
    return QuizPools().build(struct, lex)
