"""Follow-up questions in template mode: carry the previous turn's topic into a short turn
("그럼 언제 쓰면 안 되나요?") so retrieval finds the same section."""
from __future__ import annotations

import re
from typing import Sequence

from retriever import TermStats, Tokenizer

FOLLOWUP_RE = re.compile(
    r"(그거|그것|그게|그건|그걸|이거|이것|이게|이건|이걸|저거|거기|그럼|그러면|그렇다면|그\s*서비스|"
    r"이\s*서비스|그\s*방법|이\s*방법|위의|앞의|방금|아까|더\s*자세히|자세히|예시|예를\s*들|"
    r"^왜|^어떻게|다른\s*건|나머지|\bit\b|\bthat\b|\bthis\b|\bthey\b)", re.I)

NOT_FOUND_HEAD = "노트에서 이 질문에 해당하는 내용을 찾지 못했습니다."


def dedup(xs: list[str]) -> list[str]:
    return list(dict.fromkeys(xs))


def rewrite_followup(question: str, history: Sequence[tuple[str, str]], tokenizer: Tokenizer,
                     weights: TermStats) -> str:
    """`question` with the previous topic's key terms appended when it has no topic of its own."""
    if not history:
        return question
    own = dedup(tokenizer(question))
    if len(own) >= 3 and not FOLLOWUP_RE.search(question):
        return question
    prev_q, prev_a = history[-1]
    carry: list[str] = []
    m = re.match(r"\*\*(.+?)\*\*", prev_a.strip())
    if m and not prev_a.startswith(NOT_FOUND_HEAD):
        carry.append(re.sub(r"^\d{1,3}[.)]\s*", "", m.group(1)))
    spans = sorted(tokenizer.spans(prev_q), key=lambda s: -weights(s.term))
    seen = set(own)
    for s in spans:
        if s.term in seen:
            continue
        seen.add(s.term)
        carry.append(prev_q[s.start:s.end])
        if len(carry) >= 5:
            break
    return f"{question} ({' '.join(carry)})" if carry else question
