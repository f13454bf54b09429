"""Spacing-free character bigrams: the keyword field that survives Korean spacing slips.

Korean notes space words inconsistently ("데이터 베이스", "데이터베이스"), and OCR breaks
and joins words at random; Kiwi's morphemes then differ between the note and the question.
Reduced to letters and digits with every space and mark removed and cut into overlapping
character bigrams, both read the same. BM25 over these bigrams is mixed into the keyword side
(`FusionConfig.bigram_weight`; measured in bench/RESULTS.md, issue 12).
"""
from __future__ import annotations

import re

_NOT_LETTER = re.compile(r"[^0-9a-z\uac00-\ud7a3]+")  # keep Hangul syllables, Latin letters, digits


def char_bigrams(text: str) -> list[str]:
    """Overlapping character bigrams of `text` with spaces and marks removed (lower-cased)."""
    s = _NOT_LETTER.sub("", text.lower())
    if len(s) < 2:
        return [s] if s else []
    return [s[i:i + 2] for i in range(len(s) - 1)]
