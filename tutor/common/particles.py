"""Korean particles that fit the word before them: 이/가, 을/를, 은/는, 과/와, (으)로, 이다/다.

Which form a particle takes depends on how the word before it is read aloud: after a final
consonant (받침) 이, 을, 은, 과, 으로, 이다; after a vowel 가, 를, 는, 와, 로, 다 — and (으)로
takes 로 after ㄹ as after a vowel ("서울로", "파일로"). Latin letters and digits are read the
Korean way: an acronym letter by letter (SQL → 에스큐엘, ends in ㄹ; API → 에이피아이, a
vowel), a word as it sounds (Graviton → 그래비톤, ㄴ; Spark → 스파크, a vowel), a number by its
last spoken part (3 → 삼, 10 → 십, 100 → 백, 15 → 십오). Closing quotes and brackets are
skipped: the particle follows the word inside them.
"""
from __future__ import annotations

from typing import Literal

Final = Literal["none", "consonant", "rieul"]  # no 받침, a 받침 other than ㄹ, ㄹ

# how each Latin letter is read alone: A 에이 … L 엘 (ㄹ), M 엠 (ㅁ), N 엔 (ㄴ), R 알 (ㄹ)
_LETTER: dict[str, Final] = {c: "none" for c in "abcdefghijkopqstuvwxyz"}
_LETTER.update({"l": "rieul", "r": "rieul", "m": "consonant", "n": "consonant"})
# digits as spoken: 영 일 이 삼 사 오 육 칠 팔 구
_DIGIT: dict[str, Final] = {"0": "consonant", "1": "rieul", "2": "none", "3": "consonant", "4": "none",
                            "5": "none", "6": "consonant", "7": "rieul", "8": "rieul", "9": "none"}
_CLOSERS = "'\"’”」』)]}>》〉.,!?;:·… \t\n*_`"

PAIRS: dict[str, tuple[str, str]] = {  # pair → (after a 받침, after a vowel)
    "이/가": ("이", "가"), "을/를": ("을", "를"), "은/는": ("은", "는"), "과/와": ("과", "와"),
    "와/과": ("과", "와"), "(으)로": ("으로", "로"), "이다/다": ("이다", "다"), "이라/라": ("이라", "라"),
    "이에요/예요": ("이에요", "예요"), "이나/나": ("이나", "나"),
}


def _hangul_final(ch: str) -> Final:
    jong = (ord(ch) - 0xAC00) % 28
    return "none" if jong == 0 else ("rieul" if jong == 8 else "consonant")


def _number_final(digits: str) -> Final:
    """A whole number by its last spoken part: one ending in zeros by its unit — 십 (ㅂ),
    백 (ㄱ), 천 (ㄴ), 만 (ㄴ), all 받침 — else by its last digit (0 alone: 영)."""
    stripped = digits.rstrip("0")
    if stripped != digits:
        return "consonant"
    return _DIGIT[stripped[-1]]


def _word_final(word: str) -> Final:
    """A Latin word as it sounds: -ng/-m/-n a 받침, -l/-le ㄹ, else (mostly) a vowel."""
    w = word.lower()
    if w.endswith(("m", "n", "ng")):
        return "consonant"
    if w.endswith(("l", "le")):
        return "rieul"
    return "none"


def _latin_final(run: str) -> Final:
    """A run of Latin letters: an acronym (all capitals, or one letter) letter by letter."""
    if len(run) == 1 or (run.isupper() and len(run) <= 5):
        return _LETTER[run[-1].lower()]
    return _word_final(run)


def final_sound(word: str) -> Final | None:
    """How `word` ends when read aloud; None when it ends in nothing readable."""
    w = word.rstrip(_CLOSERS)
    if not w:
        return None
    last = w[-1]
    if "\uac00" <= last <= "\ud7a3":
        return _hangul_final(last)
    if last.isdigit():
        i = len(w)
        while i > 0 and (w[i - 1].isdigit() or w[i - 1] == ","):
            i -= 1
        if i > 0 and w[i - 1] == "." and i > 1 and w[i - 2].isdigit():  # 0.5 → 영점오: the last digit
            return _DIGIT[last]
        return _number_final(w[i:].replace(",", ""))
    if last.isascii() and last.isalpha():
        i = len(w)
        while i > 0 and w[i - 1].isascii() and w[i - 1].isalpha():
            i -= 1
        return _latin_final(w[i:])
    if last == "%":
        return "none"  # 퍼센트
    return None


def particle(word: str, pair: str) -> str:
    """The form of `pair` ("이/가", "을/를", "은/는", "과/와", "(으)로", "이다/다" …) that fits
    `word`; both written ("이(가)", "(으)로") when the word ends in nothing readable."""
    after_final, after_vowel = PAIRS[pair]
    end = final_sound(word)
    if end is None:
        return pair if pair == "(으)로" else f"{after_final}({after_vowel})"
    if pair == "(으)로":
        return after_final if end == "consonant" else after_vowel
    return after_vowel if end == "none" else after_final


def josa(word: str, pair: str) -> str:
    """`word` followed by the fitting form of `pair`."""
    return f"{word}{particle(word, pair)}"
