"""Practice questions from the notes: template generators over the notes' structure, and an
LLM generator whose every item is validated and replaced by a template item when it fails.

Template kinds (all answers are the notes' own words; distractors come from the same topic
first — see `options` for how they are balanced so that neither the longest option nor
the one sharing most words with the question gives the answer away):
  mcq        문제 시나리오 → 정답; 시험 포인트 X → Y and Y → X; ✅/❌ lists ("… 적합하지 않은
             경우는?"); "term: definition" both ways (`mcq`); settings of code blocks and
             numbers with units (`code_items`); table cells and rows (`table_items`).
  ox         ✅ / ❌ bullets; "X = Y", definitions and table cells, true or with a value of the
             same list swapped in.
  short      the term for a 시험 포인트 meaning or a definition; a table cell.
  cloze      a key sentence with one key term blanked.
  flashcard  term → meaning, scenario → 정답, table row, heading → key sentence.
No item keeps an answer that can be read off its own question, and every item keeps the
item-writing rules of `checks` before it is shown. The items come from the quiz pool
(`pool`: made once per index generation, finished per quiz); selection lives in `select`,
the LLM path in `llm_items`.
"""
from __future__ import annotations

from typing import Iterable, Sequence

from retriever import NotesLibrary

from ..common.llm import ChatLLM, LLMError
from .candidates import Candidate
from .pool import Pool, QuizPools, build_pool
from .lexicon import Lexicon
from .select import select
from retriever.structure import NotesStructure, Section
from ..common.types import QUIZ_KINDS, Quiz

MAX_ITEMS = 200


def section_titles(library: NotesLibrary) -> list[str]:
    """Titles of the notes' sections, in note order (for a topic picker)."""
    return list(dict.fromkeys(s.title for s in library.structure().sections))


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
              kinds: Iterable[str] | str | None = None, llm: ChatLLM | None = None,
              pools: QuizPools | None = None) -> Quiz:
    """`n` practice items from the notes (fewer only when the notes cannot give more), from
    the live generation's pool (`pools` keeps unchanged notes' items across generations)."""
    n = max(1, min(int(n), MAX_ITEMS))
    kinds_t = parse_kinds(kinds)
    struct = library.structure()
    if not struct.sections:
        return Quiz(items=(), mode="template", notice="노트가 없어 문제를 만들 수 없습니다.")
    focus = topic_sections(library, struct, topic) if topic and topic.strip() else None
    pool = (pools or QuizPools()).pool(library)
    if llm is not None:
        from .llm_items import llm_quiz

        try:
            return llm_quiz(llm, struct, pool, n, kinds_t, focus, seed)
        except LLMError as exc:
            items = quiz_items(pool, n, kinds_t, focus, seed)
            return Quiz(items=tuple(c.to_item() for c in items), mode="template",
                        notice=f"LLM 문제 생성에 실패해 템플릿 문제를 냈습니다: {exc.notice}")
    items = quiz_items(pool, n, kinds_t, focus, seed)
    notice = None
    if len(items) < n:
        notice = f"노트에서 만들 수 있는 문제가 {len(items)}개뿐입니다."
    return Quiz(items=tuple(c.to_item() for c in items), mode="template", notice=notice)


def quiz_items(pool: Pool, n: int, kinds: Sequence[str], focus: Sequence[Section] | None,
               seed: int) -> list[Candidate]:
    """The quiz of `seed`: chosen from the pool's drafts, each finished and checked."""
    return select(pool.drafts, n, kinds, focus, seed, finish=lambda c: pool.finish(c, seed))


def topic_sections(library: NotesLibrary, struct: NotesStructure, topic: str) -> list[Section]:
    """Sections retrieval finds for a topic, best first (a title match wins outright)."""
    t = " ".join(topic.split()).lower()
    out: list[Section] = [s for s in struct.sections if t and t in s.title.lower()]
    for h in library.search(topic, k=8):
        sec = struct.section(h.section)
        if sec is not None and sec not in out:
            out.append(sec)
    return out


def generate_candidates(struct: NotesStructure, lex: Lexicon, seed: int = 0) -> list[Candidate]:
    """Every item the notes can give, finished for `seed` (each (kind, question) once, none
    giving its answer away or breaking an item-writing rule)."""
    pool = build_pool(struct, lex)
    return [d for d in (pool.finish(c, seed) for c in pool.drafts) if d is not None]
