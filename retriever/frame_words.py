"""Question-frame words: nouns that say what kind of answer a question wants, not what it is about.

"린 개념을 연구하는 것이 왜 중요한가?" asks about 린; 개념 only says a concept is wanted. As a BM25
term a frame word is as strong as a topic word — rare in most notes, so heavily weighted — and
it leads the keyword side to whichever chunk happens to hold it (here one that says 개념 and
중요 but nothing of 린). The search's keyword side leaves a question's frame words out when it
has other terms; a question of frame words alone ("개념과 정의") keeps them. Measured on every dev
set (bench/RESULTS.md, issue 21): hybrid hit@1 +1 question on each OCR'd msmarco set, msmarco-ko
+10 of 6,980; no set lost a question. Counting them at half weight fixed none of those. Words
that are often a topic themselves are not here: 설명 (설명 의무), 효과 (온실 효과), 과정 (석사 과정),
내용, 중요.
"""
from __future__ import annotations

FRAME_WORDS = frozenset(
    "개념 정의 의미 뜻 이유 목적 방법 순서 절차 원리 특징 종류 예시 역할 차이 차이점 비교 장점 단점".split())


def topic_terms(terms: list[str]) -> list[str]:
    """`terms` without the frame words, or all of them when nothing else is left."""
    kept = [t for t in terms if t not in FRAME_WORDS]
    return kept if kept else terms
