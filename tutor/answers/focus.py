"""The lines of a section that answer *this* question: the 핵심 답.

Every line of the section is a candidate (`lines`). A line is scored by the question's Kiwi
terms it holds (IDF-weighted; the words of its label count half; only terms some line of
the section can match count), by how close it is in meaning (the unit cosine the evidence
step computed), and by what the question asks for (`question_type`): an amount wants a
number of the asked unit that the question does not already hold, a "when" question the ✅/❌
lists, a negated one their ❌ side, a "why" the reasons, a "process" the steps and flows, a
"how" the settings and commands, a "what" the definition, a comparison both sides. Up to
`n` lines are picked greedily, each adding what the others do not say.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Sequence

from retriever import TermStats, Tokenizer

from ..common.lines import Line, section_lines
from ..common.question_type import CUE_TERMS, QuestionType, amount_fits, amounts
from retriever.structure import Section, Unit

MAX_LINES = 3
CARRIED_WEIGHT = 0.2  # terms a follow-up took from the previous turn: they chose the section
LEX_FLOOR = 2.5  # about the IDF of one fairly rare term
TITLE_WEIGHT = 0.25  # a question word that is in the section title: it chose the section
_SETTING_RE = re.compile(r"""^\s*['"]?[\w.\-]+['"]?\s*[:=]\s*\S|^\s*--[\w-]+|^\s*\w+=\S""")
_COMMAND_RE = re.compile(r"^(?:sudo\s+)?(?:[a-z][\w.-]*\s+[a-z0-9/][\w./-]*|(?:CREATE|ALTER|GRANT|SELECT|INSERT|"
                         r"UPDATE|DELETE|DROP)\s)")
_COMMAND_ASKED_RE = re.compile(r"명령|커맨드|command|\bCLI\b|SQL\s*(?:은|는|문)?\s*\??$|쿼리문|구문", re.I)
# Korean words of a question and the English words code uses for them (space-separated): a
# question asks for "볼륨 타입", the code says "--volume-type"
CODE_WORDS = {"타입": "type", "유형": "type", "종류": "type", "버전": "version", "이름": "name", "크기": "size",
              "용량": "capacity", "경로": "path", "위치": "location", "한도": "limit cutoff", "제한": "limit cutoff",
              "바이트": "byte", "비트": "bit", "스캔": "scanned", "저장": "storage",
              "키": "key", "값": "value", "지역": "region", "리전": "region", "태그": "tag", "설명": "description",
              "임계값": "threshold", "임계치": "threshold", "주기": "period", "기간": "period",
              "타임아웃": "timeout", "제한시간": "timeout", "장치": "device", "디바이스": "device",
              "활성화": "enabled", "켜": "enabled", "비활성화": "disabled", "끄": "disabled", "개수": "count",
              "수": "count", "출력": "output", "결과": "result", "암호화": "encryption", "권한": "grant",
              "복제": "replication", "압축": "compression", "메모리": "memory", "코어": "core"}
_NEG_MARKS = {"❌": 0.5, "✖": 0.5, "🔶": 0.3, "❓": 0.2}
_SUB_WHEN_RE = re.compile(r"적합|상황|경우|언제|용도|사용")
_SUB_NEG_RE = re.compile(r"부적합|부적절|단점|오답|주의|고려|한계|문제")
_SUB_WHY_RE = re.compile(r"왜|이유|장점|효과|원리|메커니즘|최적인")
_SUB_HOW_RE = re.compile(r"설정|방법|구현|설치|명령|구성|생성|예시|연결")
_SUB_WHAT_RE = re.compile(r"란\??$|이란|개념|정의|특징|이해")
_SUB_CMP_RE = re.compile(r"\bvs\b|비교|차이|대비", re.I)
_SUB_PROCESS_RE = re.compile(r"원리|작동|동작|과정|흐름|구조|아키텍처|메커니즘|순서|단계|절차")
_REASON_RE = re.compile(r"때문|위해|므로|으로써|덕분|→")
_TOTAL_RE = re.compile(r"총|합계|전체|\btotal\b", re.I)
_CHANGE_RE = re.compile(r"절약|절감|감소|할인|줄|향상|단축|개선")


@dataclass(frozen=True)
class FocusLine:
    line: Line
    score: float


@dataclass(frozen=True)
class Evidence:
    """What the scorer measured of one line for one question (shares of the question weight)."""

    text_hit: float  # in the line itself
    label_hit: float  # in what it sits under
    value_hit: bool  # a setting line whose value holds a question term ("ExecutionClass": "FLEX")


class LineScorer:
    """Scores lines for one question; term sets of lines are cached in the caller's dict."""

    def __init__(self, tokenizer: Tokenizer, weights: TermStats, cache: dict) -> None:
        self.tokenizer, self.weights, self.cache = tokenizer, weights, cache

    def terms(self, texts: Sequence[str]) -> list[frozenset[str]]:
        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if missing:
            if len(self.cache) + len(missing) > 50_000:  # a huge corpus: stop caching
                return [frozenset(ts) for ts in self.tokenizer.tokenize_many(list(texts))]
            for t, ts in zip(missing, self.tokenizer.tokenize_many(missing)):
                self.cache[t] = frozenset(ts)
        return [self.cache[t] for t in texts]

    def query_weights(self, own: str, carried: str = "") -> dict[str, float]:
        """Weights of the question's terms: its own terms by IDF (cue words at half) and the
        terms a follow-up carried over at `CARRIED_WEIGHT`."""
        w: dict[str, float] = {}
        for t in self.tokenizer(own):
            w[t] = max(w.get(t, 0.0), self.weights(t) * (0.5 if t in CUE_TERMS else 1.0))
            for code_word in CODE_WORDS.get(t, "").split():  # the code's word for it, a little less sure
                w.setdefault(code_word, self.weights(code_word) * 0.7)
        for t in self.tokenizer(carried) if carried else []:
            w.setdefault(t, self.weights(t) * CARRIED_WEIGHT)
        return w

    def in_section(self, qw: Mapping[str, float], lines: Sequence[Line], title: str,
                   qt: QuestionType) -> dict[str, float]:
        """The weights of the question terms some line can match (a word the notes never use
        says nothing). Words of the section title count `TITLE_WEIGHT` when the question has
        enough other words: every line of the section shares the title's topic. A comparison
        keeps them whole, its two sides are often named in the title."""
        present = set().union(*self.terms([ln.text for ln in lines]), *self.terms([ln.label for ln in lines]))
        w = {t: v for t, v in qw.items() if t in present}
        in_title = set(self.tokenizer(title)) if title else set()
        if qt.kind != "compare":
            w = {t: v * (TITLE_WEIGHT if t in in_title else 1.0) for t, v in w.items()}
        return w

    def score(self, lines: Sequence[Line], qw: Mapping[str, float], qt: QuestionType,
              dense: Mapping[Unit, float], where: str = "", question: str = "") -> list[FocusLine]:
        """Each line's score; `where` (the section title) stands in for a missing label."""
        body = self.terms([ln.text for ln in lines])
        labels = self.terms([ln.label for ln in lines])
        # a floor keeps a question of one or two common words from making every line a match
        total = max(sum(qw.values()), LEX_FLOOR)
        asked = set(amounts(question))
        in_title = set(self.tokenizer(where)) if where else set()
        out = []
        for ln, ts, ls in zip(lines, body, labels):
            text_hit = sum(w for t, w in qw.items() if t in ts) / total
            label_hit = sum(w for t, w in qw.items() if t in ls) / total
            lex = text_hit + 0.5 * sum(w for t, w in qw.items() if t in ls and t not in ts) / total
            ev = Evidence(text_hit, label_hit, qt.setting and self._value_hit(ln, qw, in_title))
            s = 0.6 * lex + 0.2 * dense.get(ln.unit, 0.0) + type_bonus(ln, qt, ln.label or where, ev, asked,
                                                                     question)
            out.append(FocusLine(ln, s))
        return out

    def _value_hit(self, ln: Line, qw: Mapping[str, float], in_title: set[str]) -> bool:
        """A setting line whose value names something the question names (the section's own
        topic words do not count: every setting of the section may hold them)."""
        if ln.kind != "code" or not _SETTING_RE.search(ln.code):
            return False
        code = re.sub(r"\s(#|//)\s.*$", "", ln.code).strip()  # not the comment
        flag = re.match(r"^--[\w-]+[\s=]+", code)  # "--flag value"
        value = code[flag.end():] if flag else re.split(r"[:=]", code, maxsplit=1)[-1]
        terms = self.terms([value])[0]
        if len(terms) == 1:  # the value is one word: "ExecutionClass": "FLEX" picks it
            return next(iter(terms)) in qw
        return any(t in qw and t not in in_title for t in terms)


def _amount_bonus(ln: Line, qt: QuestionType, asked: set[str], question: str) -> float:
    """A number the question does not hold already, of the asked unit, in a total or a
    saving when the question asks for one."""
    found = [a for a in amounts(ln.text) if a not in asked]
    if ln.kind == "row":  # a table's unit is in its header: a bare number in a cell counts
        found += [c for c in ln.unit.cells[1:] if re.fullmatch(r"[\d,.~\-/ ]*\d[\d,.~\-/ ]*", c) and c not in asked]
    if not found:
        return -0.15
    b = 0.25 + (0.15 if qt.unit and amount_fits(ln.text, qt.unit, qt.per) else 0.0)
    b += 0.2 if _TOTAL_RE.search(question) and _TOTAL_RE.search(ln.text) else 0.0
    return b + (0.1 if _CHANGE_RE.search(question) and _CHANGE_RE.search(ln.text) else 0.0)


def _setting_bonus(ln: Line, qt: QuestionType, ev: Evidence, question: str) -> float:
    """A setting line when the question asks for a setting by name, a command line when it
    asks for a command — as far as the line is about what the question names."""
    if ln.kind != "code":
        return 0.0
    support = min(1.0, 2.5 * (ev.text_hit + 0.5 * ev.label_hit))
    b = 0.0
    if qt.setting and _SETTING_RE.search(ln.code):
        b += 0.25 * support + (0.3 if ev.value_hit else 0.0)
    if _COMMAND_ASKED_RE.search(question) and _COMMAND_RE.match(ln.code):
        b += 0.3 * support
    return b


def type_bonus(ln: Line, qt: QuestionType, sub: str, ev: Evidence, asked: set[str] = frozenset(),
               question: str = "") -> float:
    """How well the line's shape fits what the question asks for (`sub`: what it sits under)."""
    u = ln.unit
    b = _setting_bonus(ln, qt, ev, question) - (0.05 if len(ln.text) > 140 else 0.0)
    if qt.kind != "general":  # the section summary follows the 핵심 답 anyway
        b -= 0.05 if u.kind == "point" else (0.15 if u.kind in ("scenario", "answer") and qt.kind != "how" else 0.0)
    if qt.kind not in ("what", "compare"):  # lines under a label naming what is asked are about it
        b += 0.15 * ev.label_hit
    if qt.kind == "amount":
        return b + _amount_bonus(ln, qt, asked, question)
    if qt.kind in ("when", "why") and qt.negative:
        b += _NEG_MARKS.get(u.mark, 0.0) + (0.2 if _SUB_NEG_RE.search(sub) else 0.0)
        return b - (0.3 if u.mark == "✅" else 0.0) + (0.1 if qt.kind == "why" and _SUB_WHY_RE.search(sub) else 0.0)
    if qt.kind == "when":
        b += 0.25 if u.mark == "✅" else (-0.2 if u.mark in _NEG_MARKS else 0.0)
        return b + (0.15 if _SUB_WHEN_RE.search(sub) and not _SUB_NEG_RE.search(sub) else 0.0)
    if qt.kind == "why":
        return b + (0.2 if _SUB_WHY_RE.search(sub) else 0.0) + (0.1 if _REASON_RE.search(ln.text) else 0.0) \
            + (0.1 if u.mark == "✅" else 0.0)
    if qt.kind == "compare":
        return b + (0.15 if _SUB_CMP_RE.search(sub) else 0.0) + (0.1 if ln.kind == "row" or u.term else 0.0) \
            + 0.25 * ev.label_hit + (0.05 if ln.pos == 0 else 0.0)
    if qt.kind == "process":
        return b + (0.25 if _SUB_PROCESS_RE.search(sub) else 0.0) + (0.1 if "→" in ln.text else 0.0) \
            + (0.2 if u.kind == "bullet" and not u.term else 0.0)
    if qt.kind == "how":
        return b + (0.1 if ln.kind == "code" else 0.0) + (0.1 if _SUB_HOW_RE.search(sub) else 0.0)
    if qt.kind == "what":
        return b + (0.2 if u.term and ln.kind != "code" else 0.0) + (0.15 if _SUB_WHAT_RE.search(sub) else 0.0) \
            + 0.2 * ev.label_hit + (0.05 if ln.pos == 0 else 0.0) - (0.1 if ln.kind == "code" else 0.0)
    return b


def pick(scored: Sequence[FocusLine], qt: QuestionType, scorer: LineScorer, qw: Mapping[str, float],
         n: int = MAX_LINES) -> list[FocusLine]:
    """Up to `n` lines, best first; each next line must come close to the best and add
    something: terms the others lack, the same list's next item, the other side."""
    ranked = sorted(scored, key=lambda f: (-f.score, f.line.line))
    if not ranked:
        return []
    best = ranked[0]
    chosen = [best]
    weight = sum(qw.values()) or 1.0
    covered = set(scorer.terms([best.line.text])[0]) & set(qw)
    sides = set(scorer.terms([best.line.label])[0]) & set(qw)
    for _ in range(n - 1):
        cands = []
        for f in ranked[1:60]:
            if f.score < 0.6 * best.score or f.score <= 0.05 or any(same_text(f.line, c.line) for c in chosen):
                continue
            if qt.kind == "amount" and not amounts(f.line.text):
                continue
            ts = set(scorer.terms([f.line.text])[0]) & set(qw)
            gain = f.score + 0.3 * sum(qw[t] for t in ts - covered) / weight
            if qt.kind in ("when", "why", "process") and any(
                    f.line.unit.mark == c.line.unit.mark and f.line.label == c.line.label and f.line.kind == c.line.kind
                    and (f.line.unit.mark or qt.kind == "process") for c in chosen):
                gain += 0.15  # the same list's next item
            if qt.kind == "compare" and set(scorer.terms([f.line.label])[0]) & set(qw) - sides:
                gain += 0.2  # the other side: a label naming what the others' labels do not
            cands.append((gain, f, ts))
        if not cands:
            break
        _, f, ts = max(cands, key=lambda x: (x[0], -x[1].line.line))
        chosen.append(f)
        covered |= ts
        sides |= set(scorer.terms([f.line.label])[0]) & set(qw)
    return chosen


def same_text(a: Line, b: Line) -> bool:
    norm = lambda s: re.sub(r"[\W_]+", "", s).lower()  # noqa: E731
    return norm(a.text) == norm(b.text) or (a.unit == b.unit and a.kind != "code")


def focus_lines(sec: Section, own: str, carried: str, qt: QuestionType, scorer: LineScorer,
                dense: Mapping[Unit, float], n: int = MAX_LINES) -> list[FocusLine]:
    """The 핵심 답 lines of `sec` for a question (`own`: its words; `carried`: a follow-up's
    borrowed topic), best first."""
    lines = section_lines(sec)
    qw = scorer.in_section(scorer.query_weights(own, carried), lines, sec.title, qt)
    return pick(scorer.score(lines, qw, qt, dense, sec.title, own), qt, scorer, qw, n)
