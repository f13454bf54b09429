"""Spacing-free character bigrams: the keyword field that survives Korean spacing slips.

Korean notes space words inconsistently ("데이터 베이스", "데이터베이스"), and OCR breaks
and joins words at random; Kiwi's morphemes then differ between the note and the question.
Reduced to letters and digits with every space and mark removed and cut into overlapping
character bigrams, both read the same. BM25 over these bigrams is mixed into the keyword side
(`FusionConfig.bigram_weight`; measured in bench/studies/ngram_study.md, issue 12).
"""
from __future__ import annotations

import re

_LETTER = re.compile(r"[0-9a-z\uac00-\ud7a3]")  # Hangul syllables, Latin letters, digits


def _compact(text: str) -> tuple[str, list[int]]:
    """`text`'s letters and digits, lower-cased, without spaces or marks, and the position in
    `text` each came from (per character, so a lower-casing that changes length can't shift them)."""
    low = text.lower()
    if len(low) == len(text):  # lower() never shrinks a character: positions line up (the usual case)
        where = [m.start() for m in _LETTER.finditer(low)]
        return "".join(low[i] for i in where), where
    keep = [(i, c) for i, ch in enumerate(text) if len(c := ch.lower()) == 1 and _LETTER.match(c)]
    return "".join(c for _, c in keep), [i for i, _ in keep]


def char_bigrams(text: str) -> list[str]:
    """Overlapping character bigrams of `text` with spaces and marks removed (lower-cased)."""
    s, _ = _compact(text)
    if len(s) < 2:
        return [s] if s else []
    return [s[i:i + 2] for i in range(len(s) - 1)]


def _pieces(t: str, q: str, min_chars: int) -> list[tuple[int, int]]:
    """Greedy left-to-right (start, length) pieces of compact query `q`, each the longest run
    from there (at least `min_chars`) that occurs in compact text `t`."""
    out, i = [], 0
    while i + min_chars <= len(q):
        n = min_chars
        if q[i:i + n] not in t:
            i += 1
            continue
        while i + n < len(q) and q[i:i + n + 1] in t:
            n += 1
        out.append((i, n))
        i += n
    return out


def spacing_free_spans(text: str, query: str, min_chars: int = 3) -> list[tuple[int, int]]:
    """(start, end) ranges of `text` holding a piece of the query read without spaces — the
    longest pieces first, each at least `min_chars` long — so "파티 션프로젝 션" marks
    "파티션 프로젝션" in the note."""
    t, where = _compact(text)
    q, _ = _compact(query)
    spans: list[tuple[int, int]] = []
    for i, n in _pieces(t, q, min_chars):
        piece = q[i:i + n]
        at = t.find(piece)
        while at >= 0:
            spans.append((where[at], where[at + n - 1] + 1))
            at = t.find(piece, at + n)
    return sorted(spans)


def query_coverage(text: str, query: str, min_chars: int = 3) -> float:
    """Share of the query's letters (spaces and marks dropped) found in `text` in pieces of at
    least `min_chars` — how much of the query a chunk holds, however either is spaced."""
    t, _ = _compact(text)
    q, _ = _compact(query)
    return sum(n for _, n in _pieces(t, q, min_chars)) / len(q) if q else 0.0
