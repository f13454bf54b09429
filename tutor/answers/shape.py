"""What an answer opens with (issue 19), decided once for the template and the LLM prompt:
whether the notes cover the question (`coverage`), the verdict of a yes/no question
(`polar`, `verdict`), and the first line that says it — `**예** — …`, `**아니요** — …`,
`**노트로는 판단할 수 없습니다** — …`, the amount of an amount question, or
`**노트에서 찾지 못했습니다** — …` with what the notes lack.

A code line leads the 핵심 답 only when the question asks for code, a setting, a command or
an identifier (`code_asked`); otherwise the explaining lines come first (`prose_first`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable, Sequence

from retriever import NotesLibrary

from ..common.lines import Line
from ..common.question_type import QuestionType, amount_fits, classify, full_amounts
from .coverage import Coverage, CoverageJudge
from .evidence import EvidenceFinder, Retrieval
from .focus import FocusLine
from .polar import is_polar, negated
from .qterms import predicates, question_terms
from .verdict import Verdict, VerdictFinder

YES, NO, UNKNOWN = "**예**", "**아니요**", "**노트로는 판단할 수 없습니다**"
NOT_COVERED = "**노트에서 찾지 못했습니다**"
LEAD_CHARS = 220  # a quoted line in a first line is cut here
_CODE_ASKED_RE = re.compile(r"명령|커맨드|코드|설정|속성|파라미터|옵션|API|함수|메서드|SQL|쿼리문|구문|스크립트|"
                            r"식별자|이름은|[A-Za-z]+[._][A-Za-z]|\bcommand|\bsetting|\bproperty|\bcode\b", re.I)


@dataclass(frozen=True)
class Judged:
    """The judgements behind an answer's first line. `verdict` is None for a question that is
    not yes/no; `ret` is the retrieval with the covering section first."""

    qt: QuestionType
    polar: bool
    coverage: Coverage
    verdict: Verdict | None
    ret: Retrieval

    @property
    def covered(self) -> bool:
        return self.coverage.covered

    @property
    def verdict_value(self) -> str | None:
        """"yes" | "no" | "unknown" for a yes/no question or one the notes do not cover, else None."""
        if not self.covered:
            return "unknown"
        return self.verdict.value if self.verdict is not None else None


def code_asked(question: str, qt: QuestionType | None = None) -> bool:
    """Whether a question asks for code, a setting, a command or an identifier."""
    return bool((qt is not None and qt.setting) or _CODE_ASKED_RE.search(question or ""))


def prose_first(picked: Sequence[FocusLine], core_n: int = 3) -> tuple[list[FocusLine], list[FocusLine]]:
    """(핵심 답, 관련 내용): the explaining lines first; code lines follow as related lines
    (they lead only when no line explains)."""
    prose = [f for f in picked if f.line.kind != "code"]
    code = [f for f in picked if f.line.kind == "code"]
    if not prose:
        return list(picked[:core_n]), list(picked[core_n:])
    return prose[:core_n], prose[core_n:] + code


class AnswerJudge:
    """Judges coverage and verdicts over one library (thread-safe: no state of its own)."""

    def __init__(self, library: NotesLibrary, evidence: EvidenceFinder) -> None:
        self.library, self.evidence = library, evidence
        self.coverage = CoverageJudge(library)

    def judge(self, question: str, ret: Retrieval) -> Judged:
        """`question`: the standalone question (a follow-up with its topic carried in)."""
        lib = self.library
        qt = classify(question)
        polar = is_polar(question, lib.tokenizer.morphemes(question))
        cov = self.coverage.judge(question, ret, qt, polar)
        if cov.covered and cov.section is not None and ret.sections and cov.section != ret.sections[0]:
            rest = tuple(s for s in ret.sections if s != cov.section)
            ret = replace(ret, sections=(cov.section, *rest),
                          scored=tuple(self.evidence.score_units(ret.query, cov.section)))
        verdict = None
        if polar and cov.covered and ret.sections:
            finder = VerdictFinder(lambda text: frozenset(lib.tokenizer(text)), lib.term_stats())
            verdict = finder.decide(question, question_terms(question, lib.tokenizer),
                                    predicates(question, lib.tokenizer), ret.sections[0], negated(question))
            if verdict.value == "unknown":  # undecided, and asking what the notes never say: not covered
                lacking = self.coverage.unrecorded(question, ret.sections[0])
                if lacking:
                    cov = Coverage(False, None, lacking, "property")
        elif polar:
            verdict = Verdict("unknown")
        return Judged(qt, polar, cov, verdict, ret)


def clip_line(text: str, n: int = LEAD_CHARS) -> str:
    """A quoted line for a first line: one line, no list bullet, at most `n` characters."""
    text = " ".join(text.split()).removeprefix("- ")
    return text if len(text) <= n else text[: n - 1] + "…"


def verdict_head(v: Verdict) -> str:
    return {"yes": YES, "no": NO}.get(v.value, UNKNOWN)


_CHANGE_RE = re.compile(r"절감|절약|줄|감소|할인|아끼|아껴")
_COUNTER_ASKED_RE = re.compile(r"몇\s?(번|개|명|시간|일|달|년|배|회|차례|가지|초|분|주|대)")
_BARE_RE = re.compile(r"(?<![A-Za-z\d.])\d[\d,.]*(?:\s*[~～]\s*\d[\d,.]*)?(?:번)?(?![A-Za-z\d])")


def _bare(text: str) -> list[str]:
    """Numbers without a unit ("443", "1~126", "0번부터 1023번"), not parts of names (IPv4)."""
    return [m.group(0).strip() for m in _BARE_RE.finditer(text)]


def lead_amount(text: str, question: str, qt: QuestionType) -> str:
    """The amount of a line that answers an amount question: of the asked unit, not one the
    question already states, a result after the last "=" first ("… = $2.2/일"); a bare number
    ("443", "1~126") when the line has none with a unit."""
    tail = text.rsplit("=", 1)[-1] if "=" in text else ""
    cands = list(dict.fromkeys(full_amounts(tail) + full_amounts(text))) or _bare(text)
    asked = set(re.findall(r"\d+(?:\.\d+)?", question))
    fresh = [a for a in cands if not set(re.findall(r"\d+(?:\.\d+)?", a)) <= asked] or cands
    fitting = [a for a in fresh if not qt.unit or amount_fits(a, qt.unit, qt.per)] or fresh
    if not qt.unit and _CHANGE_RE.search(question):  # "얼마나 절감해?": a share before a count
        fitting = sorted(fitting, key=lambda a: "%" not in a)
    counter = _COUNTER_ASKED_RE.search(question)  # "몇 번": "두 번" before "한 달" in the same line
    if counter:
        fitting = sorted(fitting, key=lambda a: not a.endswith(counter.group(1)))
    if not fitting:
        return ""
    rng = re.search(r"\d[\d,.]*\s*[~～]\s*" + re.escape(fitting[0]), text)  # "0~30분", not "30분"
    return rng.group(0) if rng else fitting[0]


def amount_line(picked: Sequence[FocusLine], question: str, qt: QuestionType,
                overlap: Callable[[Line], float] | None = None) -> FocusLine | None:
    """The picked line holding an amount (of the asked unit when one fits; a bare number when
    no line has one with a unit) that holds most of the question's words (`overlap`), the
    better-ranked first on a tie."""
    with_amounts = [f for f in picked if full_amounts(f.line.text)] or [f for f in picked if _bare(f.line.text)]
    fits = [f for f in with_amounts if not qt.unit or amount_fits(f.line.text, qt.unit, qt.per)] or with_amounts
    if not fits:
        return None
    if overlap is None:
        return fits[0]
    # the better-ranked line, unless another holds clearly more of the question (a word more)
    best = max(fits, key=lambda f: overlap(f.line))
    return best if overlap(best.line) >= overlap(fits[0].line) + OVERLAP_MARGIN else fits[0]


_BASE_RE = re.compile(r"([A-Za-z][A-Za-z0-9]+)\s*(?:대비|보다|에\s*비해|와\s*비교|과\s*비교)")


def _names(question: str, title: str) -> set[str]:
    """The names a question writes in Latin letters (two or more) — not the section title's,
    not the base of a comparison ("Standard 대비", "x86보다")."""
    base = {m.group(1).lower() for m in _BASE_RE.finditer(question)}
    return {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9]+", question)} - base - set(
        re.findall(r"[a-z][a-z0-9]+", title.lower()))


def naming(picked: Sequence[FocusLine], question: str, title: str) -> list[FocusLine]:
    """The picked lines that hold a name the question asks about ("SMTP는 몇 번 포트?": the SMTP
    row, not another port's), or all of them when none does."""
    names = _names(question, title)
    held = [f for f in picked if any(n in f"{f.line.label} {f.line.text}".lower() for n in names)]
    return held or list(picked)


# a period or a change an amount question asks about, and how notes say it
_AMOUNT_HINTS = ((re.compile(r"1\s*년|일\s*년|연간|매년|한\s*해|\byear", re.I), re.compile(r"연간|12\s*개월|/\s*년|/\s*year", re.I)),
                 (re.compile(r"한\s*달|월\s|월에|매달|월간|\bmonth", re.I), re.compile(r"월\s*비용|/\s*월|/\s*month|월간", re.I)),
                 (re.compile(r"하루|일일|매일|\bday", re.I), re.compile(r"/\s*일|/\s*day|일일", re.I)),
                 (re.compile(r"아끼|아껴|절약|절감|줄(?:어|이)", re.I), re.compile(r"절약|절감|감소")),
                 (re.compile(r"보통|대개|평소|일반적"), re.compile(r"일반적|보통|대부분|평균")),
                 (re.compile(r"최대|최장|가장\s*오래"), re.compile(r"최대|최장")),
                 (re.compile(r"최소|최단"), re.compile(r"최소|최단")),
                 (re.compile(r"총|전체|합계|\btotal", re.I), re.compile(r"총|합계|전체|\btotal", re.I)))
HINT_WEIGHT = 3.0
OVERLAP_MARGIN = 1.0  # about one more question word (IDF) before a lower-ranked line leads


_WITHOUT_RE = re.compile(r"없음|없이|미적용|적용\s*전|최적화\s*전|\bbefore\b|\bwithout\b", re.I)
_ASKS_WITHOUT_RE = re.compile(r"없|않|안\s|전에|전의|\bbefore\b|\bwithout\b", re.I)


def amount_hints(question: str, line: str) -> float:
    """How many of the question's period and change words a line says its own way, less one
    for a line of the state without the thing when the question asks with it ("인덱스를 만들면"
    is not answered by "파티션 인덱스 없음: … 30초")."""
    said = sum(1 for q_re, l_re in _AMOUNT_HINTS if q_re.search(question) and l_re.search(line))
    without = bool(_WITHOUT_RE.search(line)) and not _ASKS_WITHOUT_RE.search(question)
    return HINT_WEIGHT * (said - without)


def missing_text(cov: Coverage, near_title: str = "") -> str:
    """What the notes lack, in a sentence."""
    words = ", ".join(f"'{w}'" for w in cov.missing[:3])
    if cov.reason == "subject" and words:
        return f"노트 어디에도 {words}에 대한 내용이 없습니다."
    if cov.reason == "property" and words and near_title:
        return f"가장 가까운 섹션 '{near_title}'에도 {words}에 해당하는 줄이 없습니다."
    return "이 질문에 답하는 내용이 노트에 없습니다."
