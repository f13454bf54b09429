"""Multiple-choice options a test-wise student cannot game.

Option text is the notes' own words, cleaned: no Markdown, no ✅/❌ marks, no option letters
left from the exam ("A. …", "… + C. …"), no "(오답)" tags. Distractors come from pools in
order of preference (the same list or table, the same section, the same service, the rest
of the notes). Among the nearest candidates, three are chosen so that the correct option
is neither systematically the longest nor the one sharing most words with the question:
for each item a target rank is drawn for both, and the three that come closest win.
"""
from __future__ import annotations

import itertools
import random
import re
from functools import lru_cache
from typing import Sequence

from retriever.structure import plain

_LETTER_AT_START_RE = re.compile(r"^\s*\(?[A-Ea-e][.)]\s+")
_LETTER_INSIDE_RE = re.compile(r"(?<=[+,/&·]\s)\(?[A-E][.)]\s+|(?<=\s및\s)[A-E][.)]\s+")
STRAY_LETTER_RE = re.compile(r"(?:^|[\s+,/&(·])[A-E][.)]\s")
_TAG_RE = re.compile(r"\s*\((?:오답|정답|부분적|부분 정답|참고)\)\s*$")
_MARKS = "✅❌🔶❓⭕✔️✖"
NEAREST = 14  # candidates considered per item (tier order), 364 triples at most
TARGET_WEIGHTS = (0.1, 0.35, 0.35, 0.2)  # of 0, 1, 2, 3 distractors beating the correct option
ROOM = 4  # candidates the balancing needs to choose from (4 trios)
GIVEAWAY = 0.15  # the correct option shares this much more of the question than any other


@lru_cache(maxsize=65536)  # pure, and called on the same notes lines for every item
def clean_option(text: str) -> str:
    """The notes' words as an option: plain text, no marks, letters, tags or trailing colon."""
    t = plain(text).strip()
    t = t.lstrip(_MARKS + " -").strip()
    t = _LETTER_AT_START_RE.sub("", t)
    t = _LETTER_INSIDE_RE.sub("", t)
    t = _TAG_RE.sub("", t)
    return t.rstrip(":;,").strip()


def strip_letters(text: str) -> str:
    """The notes' words without the exam's option letters ("A. …", "… + C. …")."""
    return _LETTER_INSIDE_RE.sub("", _LETTER_AT_START_RE.sub("", text))


@lru_cache(maxsize=65536)
def squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", plain(text)).lower()


def leaks(answer: str, question: str) -> bool:
    """The answer can be read off the question itself."""
    a = squash(answer)
    return bool(a) and a in squash(question)


@lru_cache(maxsize=65536)
def bigrams(text: str) -> frozenset[str]:
    s = re.sub(r"[\W_]+", "", text).lower()
    return frozenset({s[i:i + 2] for i in range(len(s) - 1)} or ({s} if s else set()))


def containment(option: str, stem: str) -> float:
    """Share of the option's character bigrams found in the stem (the test-wise cue)."""
    ob = bigrams(option)
    return len(ob & bigrams(stem)) / len(ob) if ob else 0.0


def _too_close(a: str, b: str) -> bool:
    """Same option in other words: equal, or one holding the other whole."""
    x, y = squash(a), squash(b)
    return not x or not y or x == y or (min(len(x), len(y)) >= 4 and (x in y or y in x))


def candidates(correct: str, stem: str, pools: Sequence[Sequence[str]]) -> list[tuple[int, str]]:
    """(tier, option) for every usable distractor, nearest tier first, each once."""
    out: list[tuple[int, str]] = []
    for tier, pool in enumerate(pools):
        for p in pool:
            c = clean_option(p)
            if len(c) < 1 or len(c) > 120 or _too_close(c, correct) or leaks(c, stem):
                continue
            if any(_too_close(c, o) for _, o in out):
                continue
            out.append((tier, c))
    return out


def choose(correct: str, stem: str, pools: Sequence[Sequence[str]], rng: random.Random,
           max_tier: int | None = None) -> tuple[str, ...] | None:
    """Four options (the correct one at a random place) or None when the pools hold fewer
    than three usable distractors (within `max_tier`)."""
    correct = clean_option(correct)
    cands = [(t, c) for t, c in candidates(correct, stem, pools) if max_tier is None or t <= max_tier]
    if len(cands) < 3:
        return None
    # the nearest tiers that give room to balance: farther ones only when those are too few
    for tier in range(max(t for t, _ in cands) + 1):
        if sum(t <= tier for t, _ in cands) >= ROOM:
            cands = [(t, c) for t, c in cands if t <= tier]
            break
    rng.shuffle(cands)
    cands.sort(key=lambda tc: tc[0])  # stable: random within a tier
    cands = cands[:NEAREST]
    # how many distractors should be longer / share more of the question than the correct
    # option: rarely none, so neither "the longest" nor "the most similar" finds it
    want_longer, want_closer = rng.choices(range(4), TARGET_WEIGHTS, k=2)
    c_len, c_con = len(correct), containment(correct, stem)
    # per candidate: (tier, text, longer than the correct one, shares more of the question)
    feats = []
    for t, o in cands:
        con = containment(o, stem)
        feats.append((t, o, _cmp(len(o), c_len), _cmp(con, c_con), abs(len(o) - c_len), con))
    nearest = min(2, sum(f[0] == 0 for f in feats))  # the notes' own alternatives: keep two
    best, best_cost = None, None
    scale = 3 * max(c_len, 1)
    for trio in itertools.combinations(feats, 3):  # the hot loop of quiz making: plain arithmetic
        x, y, z = trio
        spread = (x[4] + y[4] + z[4]) / scale
        nearest_kept = (x[0] == 0) + (y[0] == 0) + (z[0] == 0)
        cost = abs(x[2] + y[2] + z[2] - want_longer) + 1.5 * abs(x[3] + y[3] + z[3] - want_closer) \
            + 0.6 * (x[0] + y[0] + z[0]) + spread + 1.5 * max(0, nearest - nearest_kept)
        if best_cost is None or cost < best_cost:
            best, best_cost = trio, cost
    assert best is not None
    if c_con > max(f[5] for f in best) + GIVEAWAY:
        return None  # the question's own words point at the answer: not a fair item
    opts = [f[1] for f in best] + [correct]
    rng.shuffle(opts)
    return tuple(opts)


def _cmp(a: float, b: float) -> float:
    """1 when a > b, 0.5 on a tie, 0 else (a tie splits a guesser's pick)."""
    return 1.0 if a > b else (0.5 if a == b else 0.0)
