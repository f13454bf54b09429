"""Follow-up questions in template mode: carry the previous turn's topic into a turn that has
none of its own ("그럼 언제 쓰면 안 되나요?", "왜요?") so retrieval finds the same section.

A turn has a topic of its own when it names something the notes treat in few sections (a
service, a term: "그럼 Athena는?"); words found all over the notes ("비용", "경우") and the
question's cue words do not make a topic.
"""
from __future__ import annotations

import re
from typing import Callable, Sequence

from retriever import TermStats, Tokenizer

from ..common.question_type import CUE_TERMS
from ..common.types import Turn

FOLLOWUP_RE = re.compile(
    r"(그거|그것|그게|그건|그걸|이거|이것|이게|이건|이걸|저거|거기|그럼|그러면|그렇다면|그\s*서비스|"
    r"이\s*서비스|그\s*방법|이\s*방법|위의|앞의|방금|아까|더\s*자세히|자세히|예시|예를\s*들|"
    r"^왜|^어떻게|다른\s*건|나머지|\bit\b|\bthat\b|\bthis\b|\bthey\b)", re.I)

def dedup(xs: list[str]) -> list[str]:
    return list(dict.fromkeys(xs))


def carried_part(question: str, query: str) -> str:
    """What a rewritten follow-up query took from the turns before ("" when nothing)."""
    if query == question:
        return ""
    if query.startswith(question):
        return query[len(question):].strip().strip("()").strip()
    return query


def rewrite_followup(question: str, history: Sequence[Turn], tokenizer: Tokenizer,
                     weights: TermStats, topical: Callable[[str], bool] | None = None) -> str:
    """`question` with the previous topic's key terms appended when it has no topic of its own
    (`topical(term)`: whether a term names a topic of the notes)."""
    if not history:
        return question
    own = dedup(tokenizer(question))
    if len(own) >= 3 and not FOLLOWUP_RE.search(question):
        return question
    if topical is not None and any(topical(t) for t in own if t not in CUE_TERMS):
        return question
    prev_q = history[-1].question
    carry: list[str] = [history[-1].topic] if history[-1].topic else []
    spans = sorted(tokenizer.spans(prev_q), key=lambda s: -weights(s.term))
    seen = set(own)
    for s in spans:
        if s.term in seen or s.term in CUE_TERMS:
            continue
        seen.add(s.term)
        carry.append(prev_q[s.start:s.end])
        if len(carry) >= 5:
            break
    return f"{question} ({' '.join(carry)})" if carry else question
