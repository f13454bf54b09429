"""Practice questions from the notes: template generators over the notes' structure, and an
LLM generator whose every item is validated and replaced by a template item when it fails.

Template kinds (all answers are the notes' own words):
  mcq        문제 시나리오 → 정답, distractors = other scenarios' 정답 (and other sections'
             service names); 시험 포인트 "X = Y" → Y, distractors = other sections' Y.
  ox         ✅ / ❌ bullets ("listed as an advantage / fitting case?"); "X = Y" true, or with
             another section's Y swapped in (false).
  short      the term for a 시험 포인트 meaning or a bold-term definition.
  cloze      a key sentence with one key term blanked.
  flashcard  term → meaning (시험 포인트, bold definitions), scenario → 정답, heading → key
             sentence for notes without that structure.
Generators live in `quiz_structured` and `quiz_cards`, selection in `quiz_select`, the LLM
path in `quiz_llm`.
"""
from __future__ import annotations

import random
from typing import Iterable

from retriever import NotesLibrary

from .llm import ChatLLM, LLMError
from .quiz_cards import Lexicon, cloze, flashcards
from .quiz_items import Candidate
from .quiz_select import select
from .quiz_structured import mcq, ox, short
from .structure import NotesStructure, Section, notes_structure
from .types import QUIZ_KINDS, Quiz

MAX_ITEMS = 200


def section_titles(library: NotesLibrary) -> list[str]:
    """Titles of the notes' sections, in note order (for a topic picker)."""
    return list(dict.fromkeys(s.title for s in notes_structure(library).sections))


def parse_kinds(kinds: Iterable[str] | str | None) -> tuple[str, ...]:
    if kinds is None:
        return QUIZ_KINDS
    if isinstance(kinds, str):
        kinds = kinds.split(",")
    out = []
    for k in kinds:
        k = k.strip().lower()
        if not k:
            continue
        if k not in QUIZ_KINDS:
            raise ValueError(f"알 수 없는 문항 유형: {k} (가능: {', '.join(QUIZ_KINDS)})")
        if k not in out:
            out.append(k)
    return tuple(out) or QUIZ_KINDS


def make_quiz(library: NotesLibrary, n: int = 10, topic: str | None = None, seed: int = 0,
              kinds: Iterable[str] | str | None = None, llm: ChatLLM | None = None) -> Quiz:
    """`n` practice items from the notes (fewer only when the notes cannot give more)."""
    n = max(1, min(int(n), MAX_ITEMS))
    kinds_t = parse_kinds(kinds)
    struct = notes_structure(library)
    if not struct.sections:
        return Quiz(items=(), mode="template", notice="노트가 없어 문제를 만들 수 없습니다.")
    focus = topic_sections(library, struct, topic) if topic and topic.strip() else None
    lex = Lexicon(library.tokenizer, library.term_stats(), library.memo("tutor:term-cache", dict))
    cands = generate_candidates(struct, lex, seed)
    if llm is not None:
        from .quiz_llm import llm_quiz

        try:
            return llm_quiz(llm, library.tokenizer, struct, cands, n, kinds_t, focus, seed)
        except LLMError as exc:
            items = select(cands, n, kinds_t, focus, seed)
            return Quiz(items=tuple(c.to_item() for c in items), mode="template",
                        notice=f"LLM 문제 생성에 실패해 템플릿 문제를 냈습니다: {exc.notice}")
    items = select(cands, n, kinds_t, focus, seed)
    notice = None
    if len(items) < n:
        notice = f"노트에서 만들 수 있는 문제가 {len(items)}개뿐입니다."
    return Quiz(items=tuple(c.to_item() for c in items), mode="template", notice=notice)


def topic_sections(library: NotesLibrary, struct: NotesStructure, topic: str) -> list[Section]:
    """Sections retrieval finds for a topic, best first (a title match wins outright)."""
    t = " ".join(topic.split()).lower()
    out: list[Section] = [s for s in struct.sections if t and t in s.title.lower()]
    for h in library.search(topic, k=8):
        sec = struct.section_at(h.source, h.lines[0])
        if sec is not None and sec not in out:
            out.append(sec)
    return out


def generate_candidates(struct: NotesStructure, lex: Lexicon, seed: int = 0) -> list[Candidate]:
    """Every item the notes can give, each (kind, question) once."""
    rng = random.Random(f"gen:{seed}")
    out: list[Candidate] = []
    for sec in struct.sections:
        others = [s for s in struct.sections if s is not sec]
        out += mcq(sec, others, rng)
        out += ox(sec, others, rng)
        out += short(sec)
        out += flashcards(sec, lex)
        out += cloze(sec, lex)
    seen: set[tuple[str, str]] = set()
    uniq = []
    for c in out:
        if (c.kind, c.question) not in seen:
            seen.add((c.kind, c.question))
            uniq.append(c)
    return uniq
