"""What the quiz generators and the item-writing checks know of words: content terms and
morphemes from the retrieval tokenizer (Kiwi), and how common a word is in Korean at large.

Commonness is Kiwi's own language-model score of a word said alone — statistics of a large
general corpus, not of the notes — so a note's items depend on that note only (the quiz pool
re-makes a changed note's items and keeps the others'). A single everyday noun such as 중단,
대비, 동일 or 영향 scores above `COMMON_SCORE`; technical terms (병목, 프로세서, 마켓플레이스)
and names score below it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from retriever import Tokenizer

COMMON_SCORE = -12.7  # a lone noun scoring above this is everyday vocabulary
NAME_RARITY = 20.0  # a Latin word, a number: a name
DOMAIN_RARITY = 12.8  # a word of the tokenizer's own dictionary (Hangul spellings of service words)
USER_WORD_SCORE = -5.0  # those words score this high: they were added with score 0
NOUN_TAGS = ("NNG", "NNP", "SL", "SH")
CACHE_MAX = 50000


class Morph(NamedTuple):
    """A morpheme with its Kiwi tag, offsets and Kiwi's language-model score for it in its
    place (a log probability: everyday words score higher)."""

    form: str
    tag: str
    start: int
    end: int
    score: float = 0.0


@dataclass(frozen=True)
class Lexicon:
    """The tokenizer with caches of what the generators and checks ask again and again
    (key terms repeat across sections, items and quizzes). Threads may share it: a lost
    cache write only costs a second look-up."""

    tokenizer: Tokenizer
    cache: dict = field(default_factory=dict, compare=False)

    def _cached(self, kind: str, text: str, make):
        key = (kind, text)
        got = self.cache.get(key)
        if got is None:
            got = make(text)
            if len(self.cache) < CACHE_MAX:
                self.cache[key] = got
        return got

    def terms(self, text: str) -> tuple[str, ...]:
        """Content terms as the keyword search reads them (nouns, verb stems, Latin words;
        Hangul spellings folded onto English names: 워크그룹 → workgroup)."""
        return self._cached("terms", text, lambda t: tuple(self.tokenizer(t)))

    def term_set(self, text: str) -> frozenset[str]:
        return self._cached("set", text, lambda t: frozenset(self.terms(t)))

    def morphemes(self, text: str) -> tuple[Morph, ...]:
        """Every morpheme of `text` with its score (Kiwi's own tokens; a tokenizer that is not
        Kiwi gives its morphemes with score 0, one without morphemes none)."""
        def run(t: str) -> tuple[Morph, ...]:
            kiwi = getattr(self.tokenizer, "kiwi", None)
            try:
                if kiwi is not None:
                    return tuple(Morph(k.form, k.tag, k.start, k.start + k.len, k.score) for k in kiwi.tokenize(t))
                return tuple(Morph(m.form, m.tag, m.start, m.end) for m in self.tokenizer.morphemes(t))
            except Exception:  # a test double without morphemes: no tags
                return ()
        return self._cached("morph", text, run)

    def common(self, word: str) -> bool:
        """A lone everyday noun (or noun + suffix): low information as a blank or key term."""
        def judge(w: str) -> bool:
            ms = [m for m in self.morphemes(w) if m.tag != "XSN"]
            return len(ms) == 1 and ms[0].tag == "NNG" and ms[0].score > COMMON_SCORE
        return self._cached("common", word.strip(), judge)

    def rarity(self, word: str) -> float:
        """How uncommon a word is (higher: rarer): minus the best Kiwi score of its noun parts
        said alone; a Latin word or number counts as a name, a word the tokenizer's dictionary
        adds (파티션, 인스턴스: common in technical notes) as just rarer than everyday words."""
        def score(w: str) -> float:
            ms = [m for m in self.morphemes(w) if m.tag.startswith(NOUN_TAGS) or m.tag in ("SN", "NR")]
            if not ms:
                return 0.0
            if any(m.tag in ("SL", "SH", "SN") for m in ms):
                return NAME_RARITY
            if any(m.tag == "NNP" and m.score > USER_WORD_SCORE for m in ms):
                return DOMAIN_RARITY  # 스토리지, 인스턴스: the search's own spellings of service words
            return max(-m.score for m in ms)
        return self._cached("rarity", word.strip(), score)
