"""Question-frame words: nouns that say what kind of answer a question wants, not what it is about.

"린 개념을 연구하는 것이 왜 중요한가?" asks about 린; 개념 only says a concept is wanted. As a BM25
term a frame word is as strong as a topic word — rare in most notes, so heavily weighted — and
it leads the keyword side to whichever chunk happens to hold it (here one that says 개념 and
중요 but nothing of 린); in the bigram field "통금의 정의" found every page with a 정의 when OCR had
lost 통금. So the search's keyword side reads a question without its frame words when it has
other terms (`split_frame`) — except in the chunks whose heading holds one: notes written as
"## S3 장점" / "## S3 단점" answer "S3 단점" by that heading (keyword hit@1 there fell from 7/7 to 4/7
when frame words counted nowhere). A question of frame words alone ("개념과 정의") keeps them.
Measured on every dev set (bench/RESULTS.md, issue 21). Words that are often a topic themselves
are not here: 설명 (설명 의무), 효과 (온실 효과), 과정 (석사 과정), 내용, 중요.
"""
from __future__ import annotations

from typing import Sequence

from .tokenizer import Span

FRAME_WORDS = frozenset(
    "개념 정의 의미 뜻 이유 목적 방법 순서 절차 원리 특징 종류 예시 역할 차이 차이점 비교 장점 단점".split())


def split_frame(text: str, spans: Sequence[Span]) -> tuple[list[str], list[str], list[str]]:
    """(the question's terms without its frame words, the pieces of its text between them, the
    frame words) — or all its terms, the whole text and no frame words when it has nothing but
    frame words, or none."""
    frame = [s for s in spans if s.term in FRAME_WORDS]
    if not frame or len(frame) == len(spans):
        return [s.term for s in spans], [text], []
    pieces, at = [], 0
    for s in sorted(frame, key=lambda s: s.start):
        pieces.append(text[at:s.start])
        at = max(at, s.end)
    pieces.append(text[at:])
    words = list(dict.fromkeys(s.term for s in frame))
    return [s.term for s in spans if s.term not in FRAME_WORDS], [p for p in pieces if p.strip()], words
