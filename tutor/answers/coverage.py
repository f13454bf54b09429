"""Whether the notes cover what a question asks for — not only its topic (issue 19).

Retrieval always finds *some* section; a learner must not take the nearest one for an
answer. A question is not covered when:

- its **subject** is nowhere in the notes: a name written in Latin letters ("Kubernetes",
  "DynamoDB", "Spectrum") or a number ("429") the notes never use, or Korean words the notes
  never use making up nearly all of it ("쿠버네티스 파드 오토스케일링");
- retrieval judged it off-topic (`Retrieval.found`) and it names nothing the notes know;
- no near section has its **asked property**: the section must name every subject the
  question names, and hold the specific things it asks about — words the notes use in few
  sections ("암호화", "알고리즘"); an amount question needs one line holding a number (of the
  asked unit) together with most of what it asks the number of ("최대 소비자 수" is no
  line of the Redshift section, "30초" of RIP does not answer "BGP 홀드 타이머").

The first of the near sections that passes answers the question (an amount question whose
number is in the second section is answered from there).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from retriever import NotesLibrary
from retriever.structure import Section

from ..common.lines import Line, section_lines
from ..common.question_type import QuestionType, amount_fits, amounts
from .evidence import Retrieval
from .focus import CODE_WORDS
from .qterms import QuestionTerms, name_in, name_known, question_terms

SECTIONS_TRIED = 3  # near sections checked for the asked property, best first
SPECIFIC_SHARE = 0.3  # a word in at most this share of the sections names a specific thing
LINE_SHARE = 0.3  # an amount line must hold this share of what the question asks the number of
FALLBACK_LINE_SHARE = 0.5  # … in a section retrieval ranked lower
EVERYWHERE_SHARE = 0.25  # a word in this share of a section's lines is what the section is about
_UNIT_ASKED_RE = re.compile(r"몇\s*(초|분|시간|일|주|개월|년|바이트|비트|TB|GB|MB|KB|명|배|%|퍼센트)", re.I)
_HANGUL_RE = re.compile(r"[\uac00-\ud7a3]")
# the unit an amount question names is not what it asks the number of
MODE_WORDS = ("동시에", "직접")  # how a thing is done ("함께" is said "둘 다" too)
UNIT_WORDS = frozenset("초 분 시간 일 주 개월 월 년 바이트 비트 퍼센트 개 번 명 배 건 회 tb gb mb kb".split())


@dataclass(frozen=True)
class Coverage:
    """`covered`: whether the notes answer the question; `section`: the one that does;
    `missing`: the question's words the notes lack (its own spelling); `reason`: "subject",
    "property", "off-topic" or "" (covered)."""

    covered: bool
    section: Section | None = None
    missing: tuple[str, ...] = ()
    reason: str = ""
    failures: tuple[tuple[str, tuple[str, ...]], ...] = field(default=(), compare=False)


def _unit_asked(question: str) -> str:
    m = _UNIT_ASKED_RE.search(question)
    return "" if m is None else ("%" if m.group(1) == "퍼센트" else m.group(1))


def _has(term: str, where: frozenset[str] | set[str]) -> bool:
    """A question term in a set of note terms (a Korean word also as the word code uses)."""
    return term in where or any(c in where for c in CODE_WORDS.get(term, "").split())


class CoverageJudge:
    """Judges coverage over one library; the section term sets are kept per index generation."""

    def __init__(self, library: NotesLibrary) -> None:
        self.library = library

    def _section_texts(self) -> dict[str, str]:
        """Each section's text as the note has it (labels included), with its heading path."""
        lib = self.library

        def build() -> dict[str, str]:
            lines = {n.source: n.text.split("\n") for n in lib.notes()}
            return {s.id: f"{s.heading}\n" + "\n".join(lines.get(s.source, [])[s.lines[0] - 1:s.lines[1]])
                    for s in lib.structure().sections}

        return lib.memo("tutor:coverage-section-texts", build)

    def _section_terms(self) -> dict[str, frozenset[str]]:
        lib = self.library

        def build() -> dict[str, frozenset[str]]:
            texts = self._section_texts()  # kept with the generation: Kiwi once, not in every `ask`
            return {sid: frozenset(ts) for sid, ts in zip(texts, lib.kept_terms("coverage-sections", list(texts.values())))}

        return lib.memo("tutor:coverage-section-terms", build)

    def _section_flat(self) -> dict[str, str]:
        """Each section's text without spaces, lower-cased: a word Kiwi cut differently in the
        notes ("브로드캐스트가" → 브로드 + 캐스트) is still found by its spelling."""
        return self.library.memo("tutor:coverage-section-flat", lambda: {
            sid: re.sub(r"\s+", "", t).lower() for sid, t in self._section_texts().items()})

    def _section_df(self) -> dict[str, int]:
        def build() -> dict[str, int]:
            df: dict[str, int] = {}
            for ts in self._section_terms().values():
                for t in ts:
                    df[t] = df.get(t, 0) + 1
            return df

        return self.library.memo("tutor:coverage-section-df", build)

    def judge(self, question: str, ret: Retrieval, qt: QuestionType, polar: bool = False) -> Coverage:
        if not ret.sections:
            return Coverage(False, reason="off-topic")
        vocab = self.library.term_stats()
        qterms = question_terms(question, self.library.tokenizer)
        unknown = [n.shown for n in qterms.named
                   if not name_known(n, vocab) and not (n.number and (polar or qt.kind == "amount"))]
        if unknown:
            return Coverage(False, missing=tuple(unknown), reason="subject")
        foreign = [t for t in qterms.content if t not in vocab and _HANGUL_RE.search(t)]
        known = [t for t in qterms.content if t in vocab]
        if len(foreign) >= 2 and len(known) <= 1:
            return Coverage(False, missing=tuple(qterms.shown[t] for t in foreign), reason="subject")
        if not ret.found and not self._named_anyway(qterms, vocab):
            return Coverage(False, reason="off-topic")
        failures: list[tuple[str, tuple[str, ...]]] = []
        for i, sec in enumerate(ret.sections[:SECTIONS_TRIED]):
            failure = self._check(sec, question, qterms, qt, polar, fallback=i > 0)
            if failure is None:
                return Coverage(True, sec, failures=tuple(failures))
            failures.append(failure)
        reason, missing = failures[0]
        return Coverage(False, None, missing, reason, tuple(failures))

    def _named_anyway(self, q: QuestionTerms, vocab) -> bool:
        """A question retrieval found weak that still names what the notes treat: a name the
        notes use in few sections ("Graviton으로 옮길 때…"), or only words the notes spell out
        ("게이트웨이" that Kiwi cut differently)."""
        df, n_secs = self._section_df(), max(1, len(self._section_terms()))
        if any(not n.number and name_known(n, vocab) and df.get(n.terms[0], 0) / n_secs <= SPECIFIC_SHARE
               for n in q.named):
            return True
        flat = self.library.memo("tutor:coverage-notes-flat", lambda: "".join(self._section_flat().values()))
        words = [re.sub(r"\s+", "", q.shown.get(t, t)).lower() for t in q.content]
        return len(words) >= 2 and all(w in flat for w in words)

    def _check(self, sec: Section, question: str, q: QuestionTerms, qt: QuestionType,
               polar: bool, fallback: bool = False) -> tuple[str, tuple[str, ...]] | None:
        """None when `sec` covers the question, else (reason, the words it lacks)."""
        terms = self._section_terms().get(sec.id, frozenset())
        flat = self._section_flat().get(sec.id, "")
        spelled = lambda t: bool(t) and re.sub(r"\s+", "", q.shown.get(t, t)).lower() in flat  # noqa: E731
        df, n_secs = self._section_df(), max(1, len(self._section_terms()))
        specific_name = lambda n: df.get(n.terms[0], 0) / n_secs <= SPECIFIC_SHARE  # noqa: E731  ("API": no)
        absent = [n.shown for n in q.named if not n.number and specific_name(n) and not name_in(n, terms)
                  and n.shown.lower() not in flat]
        if absent:
            return "subject", tuple(absent)
        vocab = self.library.term_stats()
        title = set(self.library.tokenizer(f"{sec.heading} {sec.title}"))
        # a section retrieval ranked lower must treat the name, not mention it in passing
        passing = [n.shown for n in q.named if fallback and not n.number and specific_name(n)
                   and n.terms[0] not in title and not self._said_with(sec, n, q, title)]
        if passing:  # named only in passing ("… (Lambda + CloudWatch Events)"), never with what is asked
            return "subject", tuple(passing)
        named_terms = {t for n in q.named for t in n.terms}
        asked = [t for t in q.content if t in vocab and t not in title and not re.fullmatch(r"[\d.,]+", t)]
        if qt.kind == "amount" and not polar:
            wanted = [t for t in asked if t not in named_terms and t not in UNIT_WORDS] + [
                n.terms[0] for n in q.named if not n.number and n.terms[0] not in title]
            strange = [t for t in q.content if t not in vocab and t not in title and _HANGUL_RE.search(t)]
            if not wanted and strange:  # all it asks the number of is words the notes never use
                return "property", tuple(q.shown.get(t, t) for t in strange)
            wanted = self._not_everywhere(sec, wanted)
            share = FALLBACK_LINE_SHARE if fallback else LINE_SHARE
            return None if self._amount_line(sec, wanted, qt, question, share) else (
                "property", tuple(q.shown.get(t, t) for t in wanted if not _has(t, terms)) or tuple(
                    q.shown.get(t, t) for t in wanted))
        if not polar:  # a what/how/why question: its words are said in too many ways to require them
            return None
        specific = [t for t in asked if t not in named_terms and df.get(t, 0) / n_secs <= SPECIFIC_SHARE]
        missing = [q.shown.get(t, t) for t in specific if not _has(t, terms) and not spelled(t)]
        return ("property", tuple(dict.fromkeys(missing))) if missing else None

    def unrecorded(self, question: str, sec: Section) -> tuple[str, ...]:
        """The words of a question that neither `sec` nor the rest of the notes ever say —
        Korean nouns ("리전"), and how it is done ("동시에"): asked of a yes/no question the
        notes cannot decide, they are the property the notes do not record."""
        vocab = self.library.term_stats()
        q = question_terms(question, self.library.tokenizer)
        flat = self._section_flat().get(sec.id, "")
        spelled = lambda t: re.sub(r"\s+", "", q.shown.get(t, t)).lower() in flat  # noqa: E731
        nouns = [q.shown.get(t, t) for t in q.content
                 if t not in vocab and _HANGUL_RE.search(t) and len(t) > 1 and not spelled(t)]
        modes = [a for a in MODE_WORDS if a in re.sub(r"\s+", "", question) and a not in flat]
        return tuple(dict.fromkeys(nouns + modes))

    def _said_with(self, sec: Section, n, q: QuestionTerms, title: set[str]) -> bool:
        """Whether some line of `sec` names `n` together with another word of the question
        (words of the section title do not count: every line is about them)."""
        others = [t for t in q.content if t not in n.terms and t not in title]
        if not others:
            return True
        tok = self.library.tokenizer
        for ln in section_lines(sec):
            have = set(tok(f"{ln.text} {ln.label}"))
            if name_in(n, have) and any(_has(t, have) for t in others):
                return True
        return False

    def _not_everywhere(self, sec: Section, wanted: list[str]) -> list[str]:
        """`wanted` without the words most lines of the section hold ("작업" in a section on
        Glue jobs): like the title's words they say what the section is about, not which line."""
        lines = section_lines(sec)
        if len(lines) < 8:
            return wanted
        sets = self.library.tokenizer.tokenize_many([f"{ln.text} {ln.label}" for ln in lines])
        limit = EVERYWHERE_SHARE * len(lines)
        return [t for t in wanted if sum(1 for ts in sets if t in ts) < limit]

    def _amount_line(self, sec: Section, wanted: Sequence[str], qt: QuestionType, question: str,
                     need: float = LINE_SHARE) -> Line | None:
        """The line of `sec` with a number of the asked unit that holds most of `wanted`."""
        unit = _unit_asked(question)
        weights = self.library.term_stats()
        total = sum(weights(t) for t in wanted)
        tok = self.library.tokenizer
        best: tuple[float, Line | None] = (-1.0, None)
        for ln in section_lines(sec):
            found = amounts(ln.text)
            if not found and not (ln.kind == "row" and any(re.search(r"\d", c) for c in ln.unit.cells)):
                continue
            if unit and not re.search(rf"\d\s?{re.escape(unit)}", ln.text, re.I):
                continue
            if qt.unit in ("%", "money", "time") and found and not amount_fits(ln.text, qt.unit, qt.per):
                continue
            have = set(tok(f"{ln.text} {ln.label} {' '.join(ln.unit.cols)}"))
            share = sum(weights(t) for t in wanted if _has(t, have)) / total if total else 1.0
            if share > best[0]:
                best = (share, ln)
        return best[1] if best[0] >= need else None
