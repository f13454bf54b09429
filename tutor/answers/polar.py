"""Whether a question asks for a yes or a no ("FLEX를 써도 되나요?", "Is it managed?"), and
whether it asks it the negative way round ("쓰면 안 되나요?").

A Korean question is yes/no when it ends in a sentence-final ending after a predicate
(되나요, 있어?, 맞나요, 필요한가요, 괜찮을까요, …: Kiwi tags it EF) and holds no question word
(무엇, 언제, 어떻게, 얼마, 몇, 왜, 어느, 차이 …); an English one when it opens with an auxiliary
(can, does, is, should …) and holds no wh-word.
"""
from __future__ import annotations

import re
from typing import Sequence

from retriever.tokenizer import Morph

_WH_RE = re.compile(r"무엇|뭐|뭘|뭔|언제|어디|어떻|어떤|어떠|어느|무슨|왜|얼마|몇|누가|누구|어째서|차이|비교|"
                    r"란\s*\?|이란|"
                    r"\b(?:what|which|when|where|why|who|whom|whose|how)\b", re.I)
_EN_AUX_RE = re.compile(r"^\s*(?:can|could|does|do|did|is|are|was|were|will|would|should|shall|may|must|has|"
                        r"have|had)\b", re.I)
_PREDICATE_TAGS = ("VV", "VA", "VX", "VCP", "VCN", "XSV", "XSA", "EP")
_NEG_RE = re.compile(r"안\s*(?:되|돼|해|하|쓰|써|좋)|않|못\s*\S|없(?:나|나요|어|어요|니|습니까|을까|는지|지|이|어도)|"
                     r"\b(?:not|n't|cannot)\b", re.I)


def is_polar(question: str, morphs: Sequence[Morph] | None = None) -> bool:
    """Whether `question` asks for a yes or a no (`morphs`: its Kiwi morphemes)."""
    q = " ".join((question or "").split())
    if not q or _WH_RE.search(q):
        return False
    if not re.search(r"[\uac00-\ud7a3]", q):
        return bool(_EN_AUX_RE.match(q))
    tail = [m for m in (morphs or ()) if not m.tag.startswith(("SF", "SE", "SS", "SW"))]
    if not tail:  # no morphemes given: endings read from the text
        return bool(re.search(r"(?:나요|나|까요|까|가요|니|냐|습니까|ㅂ니까|죠|지요|어요|아요|여요|돼|해|야|어|아)\s*\??$", q)
                    and q.endswith("?") or q.endswith(("나요", "까요", "가요", "습니까")))
    if tail[-1].tag == "JX" and tail[-1].form == "요" and len(tail) > 1:  # "높은가요": EF + 요
        tail = tail[:-1]
    last = tail[-1]
    if not last.tag.startswith("EF"):
        return False
    before = [m for m in tail[:-1] if not m.tag.startswith("E")]
    return bool(before) and before[-1].tag.startswith(_PREDICATE_TAGS + ("XR", "NNG", "NNP", "SL"))


def negated(question: str) -> bool:
    """Whether a yes/no question asks the negative way round ("…쓰면 안 되나요?", "…없나요?")."""
    return bool(_NEG_RE.search(question or ""))
