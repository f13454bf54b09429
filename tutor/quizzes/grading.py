"""Grading a response to a quiz item, with Korean feedback that teaches.

mcq/ox are exact, but accept the option letter/number or the option text (mcq) and the
usual spellings of O/X. short/cloze/flashcard are tolerant: Unicode width (NFKC), case,
spaces and punctuation are ignored, and Korean particles/endings are dropped by comparing
Kiwi content terms, so "파티션 프로젝션을" matches "파티션 프로젝션".
"""
from __future__ import annotations

import re
import unicodedata

from ..common.labels import OPTION_LETTERS as _LETTERS
from ..common.labels import lines_ko
from ..common.types import Grade, QuizItem

_CIRCLED = "①②③④"
_O = {"o", "○", "⭕", "0", "맞다", "맞음", "맞아", "참", "true", "t", "yes", "y", "예", "네"}
_X = {"x", "×", "✕", "❌", "틀리다", "틀림", "틀려", "거짓", "false", "f", "no", "n", "아니오", "아니요"}


def normalize(text: str) -> str:
    """Width-folded, lower-cased, without spaces and punctuation."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return re.sub(r"[\s\W_]+", "", text)


def _mcq_choice(item: QuizItem, response: str) -> str | None:
    r = unicodedata.normalize("NFKC", response).strip()
    r = r.strip("()[].) ")
    if len(r) == 1 and r.upper() in _LETTERS[: len(item.options)]:
        return item.options[_LETTERS.index(r.upper())]
    if r.isdigit() and 1 <= int(r) <= len(item.options):
        return item.options[int(r) - 1]
    raw = response.strip()
    if raw and raw[0] in _CIRCLED[: len(item.options)]:
        return item.options[_CIRCLED.index(raw[0])]
    nr = normalize(response)
    for opt in item.options:
        if nr and nr == normalize(opt):
            return opt
    return None


def _ox_choice(response: str) -> str | None:
    r = unicodedata.normalize("NFKC", response).strip().lower().rstrip(".!")
    if r in _O or response.strip() in _O:
        return "O"
    if r in _X or response.strip() in _X:
        return "X"
    return None


def _content_terms(text: str, tokenizer) -> set[str]:
    try:
        return {t for t in tokenizer(unicodedata.normalize("NFKC", text))}
    except Exception:
        return set()


def _tolerant_match(expected: str, response: str, tokenizer, kind: str) -> bool:
    ne, nr = normalize(expected), normalize(response)
    if not nr:
        return False
    if ne == nr:
        return True
    if tokenizer is None:
        return False
    te, tr = _content_terms(expected, tokenizer), _content_terms(response, tokenizer)
    if not te or not tr:
        return False
    if te == tr:
        return True
    if kind == "flashcard":  # a card's back is a phrase: most of its content words will do
        return len(te & tr) / len(te) >= 0.6 and len(tr - te) <= max(1, len(te) // 2)
    return False


def _lettered(item: QuizItem, option: str) -> str:
    return f"{_LETTERS[item.options.index(option)]}. {option}" if option in item.options else option


def grade(item: QuizItem, response: str, tokenizer=None) -> Grade:
    response = response or ""
    given = response.strip()
    if item.kind == "mcq":
        chosen = _mcq_choice(item, response)
        correct = chosen is not None and chosen == item.answer
        expected = _lettered(item, item.answer)
        if chosen is not None:  # both sides with their letter: "내 답: B. 1,31 · 정답: C. 1,12"
            given = _lettered(item, chosen)
    elif item.kind == "ox":
        chosen = _ox_choice(response)
        correct = chosen is not None and chosen == item.answer.upper()
        expected = item.answer
    else:
        correct = _tolerant_match(item.answer, response, tokenizer, item.kind)
        expected = item.answer
    src = item.source
    where = f"{src.source} · {src.heading} ({lines_ko(src.lines, src.page, src.ocr)})"
    verdict = "✅ 정답입니다!" if correct else "❌ 오답입니다."
    parts = [verdict]
    if not correct and given:
        parts.append(f"입력한 답: {given}")
    parts.append(f"정답: {expected}")
    if item.explanation:
        parts.append(f"해설: {item.explanation}")
    parts.append(f"출처: {where}")
    return Grade(correct=correct, expected=expected, feedback="\n".join(parts), given=given)
