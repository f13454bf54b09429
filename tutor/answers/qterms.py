"""The words of a question that say what it is about, apart from the words that say what kind
of answer it wants: its content terms (nouns, names, numbers — Kiwi tags) and its named
subjects (service, protocol and code names written in Latin letters, and numbers).

Verbs and adjectives are left out on purpose: "싸다", "줄어들다", "남다" are said in many ways,
and a missing verb says little about whether the notes cover a question; a missing name
("Kubernetes", "DynamoDB") or thing ("암호화", "알고리즘") says a lot.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from retriever import Tokenizer
from retriever.frame_words import FRAME_WORDS
from retriever.tokenizer import ascii_terms

from ..common.question_type import CUE_TERMS

# No NNB: the units the keyword side keeps (바이트, 달러, 시간 — `DROPPED_BOUND_NOUNS`) say here
# what kind of answer is wanted ("몇 바이트", "몇 시간"), like 얼마 and 몇, not what it is about.
_CONTENT_TAGS = ("NNG", "NNP", "SL", "SN", "SH", "XR")
# words that say what kind of answer is wanted (or are too general to be a subject)
# (the search's frame words — 개념, 차이, 방법 … — and these)
ASK_RE = re.compile("^(?:" + "|".join(sorted(FRAME_WORDS | set(
    "얼마 몇 무엇 뭐 언제 어떻 어떤 어느 무슨 왜 정답 시험 포인트 경우 상황 주의 고려 과정 효과 사항 점 때 법 것 거 기본 값 "
    "문제 설명 내용 가지 쪽 측 수 보통 대략 정도 이상 이하 만큼 최대 최소 평균 총 전체".split()))) + ")$")
_ASCII_RE = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|[A-Za-z0-9_]+(?:[.\-][A-Za-z0-9_]+)*")
_WHICH_RE = re.compile(r"(?:어떤|무슨|어느|which|what)\s+", re.I)
_NAME_LIKE_RE = re.compile(r"[A-Z].*[A-Z]|[A-Z][a-z]+[A-Z]|\d|[_.]")


@dataclass(frozen=True)
class Named:
    """A name the question is about, as written ("Kubernetes") and as the index spells it."""

    shown: str
    terms: tuple[str, ...]  # whole, then parts (`ascii_terms`)
    number: bool  # a bare number ("429", "1.3")


@dataclass(frozen=True)
class QuestionTerms:
    content: tuple[str, ...]  # content terms in question order (no cue words)
    shown: dict  # term → the question's own spelling of it
    named: tuple[Named, ...]
    hangul: bool  # a Korean question (an English one names things in capitals)


def question_terms(question: str, tokenizer: Tokenizer) -> QuestionTerms:
    tags: dict[int, str] = {}
    for m in tokenizer.morphemes(question):
        tags.setdefault(m.start, m.tag)
    content: list[str] = []
    shown: dict[str, str] = {}
    # "어떤 API로", "무슨 설정을": the word after 어떤/무슨/어느 names the kind of answer wanted
    kind_words = {m.end() for m in _WHICH_RE.finditer(question)}
    for sp in tokenizer.spans(question):
        tag = tags.get(sp.start, "SL")
        if not tag.startswith(_CONTENT_TAGS) or sp.term in CUE_TERMS or ASK_RE.match(sp.term):
            continue
        if sp.start in kind_words:
            continue
        if sp.term not in shown:
            content.append(sp.term)
            shown[sp.term] = question[sp.start:sp.end]
    hangul = bool(re.search(r"[\uac00-\ud7a3]", question))
    named: list[Named] = []
    for m in _ASCII_RE.finditer(question):
        word = m.group()
        if m.start() in kind_words:
            continue
        number = bool(re.fullmatch(r"[\d,.]+", word))
        # in an English question only what is written as a name counts ("Kubernetes", "S3", "get_asset")
        if not hangul and not number and not (_NAME_LIKE_RE.search(word) or (m.start() and word[0].isupper())):
            continue
        terms = tuple(ascii_terms(word))
        if terms and not (number and len(word) < 2):
            named.append(Named(word, terms, number))
    return QuestionTerms(tuple(content), shown, tuple(named), hangul)


def name_known(n: Named, vocab) -> bool:
    """Whether the notes use a name: its whole form, or one of its word parts of 3+ letters
    ("Graviton3" → graviton)."""
    if n.terms[0] in vocab:
        return True
    return any(t in vocab for t in n.terms[1:] if t.isalpha() and len(t) >= 3)


def name_in(n: Named, terms) -> bool:
    return any(t in terms for t in n.terms if t == n.terms[0] or (t.isalpha() and len(t) >= 3))


_GENERIC_PREDICATES = frozenset("하 되 있 없 쓰 이 같 주 보 만들 알 싶 않 못 수 나오 들 가 오".split())
_ADVERBS = frozenset("바로 즉시 따로 함께 동시에 그대로 다시 자동으로 직접".split())


def predicates(question: str, tokenizer: Tokenizer) -> tuple[str, ...]:
    """The question's own verbs, adjectives and telling adverbs ("남", "보존", "바로"): what it
    says of its subject (generic ones like 하다, 되다, 쓰다 left out)."""
    out: list[str] = []
    for m in tokenizer.morphemes(question):
        if (m.tag.startswith(("VV", "VA")) and m.form not in _GENERIC_PREDICATES) or (
                m.tag == "MAG" and m.form in _ADVERBS):
            if m.form not in out:
                out.append(m.form)
    return tuple(out)
