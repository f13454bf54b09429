"""Quiz items written by an LLM: requested as JSON over a few sections, each item validated
(shape, an answer the section supports, and the item-writing rules of `checks`) and the gaps
filled with template items from the pool. LLM items are the only ones made per request."""
from __future__ import annotations

import random
import re
from typing import Sequence

from pydantic import BaseModel, Field, ValidationError

from ..common.llm import ChatLLM, LLMError, extract_json
from ..common.prompts import quiz_messages
from .candidates import BLANK, Candidate
from .pool import Pool
from .select import select
from retriever.structure import NotesStructure, Section, plain
from ..common.types import QUIZ_KINDS, Quiz


class LLMItem(BaseModel):
    kind: str
    question: str = Field(min_length=4)
    options: list[str] = Field(default_factory=list)
    answer: str = Field(min_length=1)
    explanation: str = ""
    section: int


class LLMQuiz(BaseModel):
    items: list[LLMItem]


def _sections_for(struct: NotesStructure, focus: list[Section] | None, seed: int) -> list[Section]:
    """The topic's two best sections, or three sections drawn by the seed."""
    if focus:
        return focus[:2]
    rng = random.Random(f"llm:{seed}")
    pool = [s for s in struct.sections if s.units]
    return sorted(rng.sample(pool, min(3, len(pool))), key=lambda s: struct.sections.index(s))


def llm_quiz(llm: ChatLLM, struct: NotesStructure, pool: Pool, n: int,
             kinds: Sequence[str], focus: list[Section] | None, seed: int) -> Quiz:
    """`n` items from the LLM (validated), topped up with template items; LLMError when none is usable."""
    chosen = _sections_for(struct, focus, seed)
    blocks = [(s.title, "\n".join(u.display() for u in s.units if u.kind != "code")[:2500]) for s in chosen]
    raw = llm.complete(quiz_messages(blocks, n, kinds))
    data = extract_json(raw)
    try:
        parsed = LLMQuiz.model_validate({"items": data} if isinstance(data, list) else data)
    except ValidationError:
        raise LLMError("LLM이 만든 문제의 형식이 올바르지 않습니다.", "malformed") from None
    good: list[Candidate] = []
    rejected = 0
    tokenizer = pool.checks.lex.tokenizer
    for it in parsed.items:
        c = _validate_llm_item(it.kind, it.question, it.options, it.answer, it.explanation, it.section,
                               chosen, tokenizer, kinds)
        c = pool.checks.vet(c, pool.finished) if c is not None else None
        if c is None:
            rejected += 1
        elif all(c.question != g.question for g in good):
            good.append(c)
    if not good:
        raise LLMError("LLM이 만든 문제가 모두 검증에 실패했습니다.", "malformed")
    good = good[:n]
    fill = select([c for c in pool.drafts if all(c.question != g.question for g in good)],
                  n - len(good), kinds, focus, seed, finish=lambda c: pool.finish(c, seed)) if len(good) < n else []
    items = tuple(c.to_item() for c in good + fill)
    notice = None
    if rejected or fill:
        notice = (f"LLM 문항 {rejected}개가 검증에 실패해 빠졌고, 템플릿 문항 {len(fill)}개로 채웠습니다."
                  if rejected else f"템플릿 문항 {len(fill)}개로 채웠습니다.")
    return Quiz(items=items, mode="llm", notice=notice)


def _supported(answer: str, section: Section, tokenizer) -> bool:
    """The answer's words are in the section: verbatim, or ≥ 70 % of its content terms."""
    body = plain(" ".join(u.text for u in section.units)) + " " + section.title
    a = plain(answer)
    if re.sub(r"\s+", "", a).lower() in re.sub(r"\s+", "", body).lower():
        return True
    terms = set(tokenizer(a))
    if not terms:
        return False
    have = set(tokenizer(body))
    return len(terms & have) / len(terms) >= 0.7


def _validate_llm_item(kind: str, question: str, options: list[str], answer: str, explanation: str,
                       section: int, chosen: list[Section], tokenizer, kinds: Sequence[str]) -> Candidate | None:
    kind = (kind or "").strip().lower()
    if kind not in QUIZ_KINDS or kind not in kinds or not 1 <= section <= len(chosen):
        return None
    sec = chosen[section - 1]
    question, answer, explanation = question.strip(), answer.strip(), explanation.strip()
    opts = tuple(o.strip() for o in options if o and o.strip())
    if kind == "mcq":
        if len(opts) != 4 or len(set(opts)) != 4 or answer not in opts:
            return None
        if not _supported(answer, sec, tokenizer):
            return None
    elif kind == "ox":
        if answer.upper() not in ("O", "X"):
            return None
        answer, opts = answer.upper(), ("O", "X")
        if not _supported(explanation or question, sec, tokenizer):
            return None
    else:
        opts = ()
        if kind == "cloze" and BLANK not in question and "___" not in question and "(  )" not in question:
            return None
        if not _supported(answer, sec, tokenizer):
            return None
    expl = explanation or f"노트: {sec.title}"
    return Candidate(kind, question, opts, answer, expl, sec, None, f"llm:{question}")
