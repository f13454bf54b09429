"""The verdict of a yes/no question from the notes: **예**, **아니요**, or — when no line decides
it — 판단할 수 없습니다. A wrong verdict is worse than none, so a line decides only when it
holds everything the question names (its nouns the notes know, its names, its numbers) and
says it one way:

- a question of suitability ("써도 되나요", "적합한가요", "정답인가요") takes the line's ✅/❌
  mark or the sub-section it sits under ("부적합한 상황", "데이터 복사 방식 (오답)");
- any other takes the clause's own wording: a negation after the asked words (없음, 않는다,
  불가, 불필요, 안함, 못한다) or the opposite of the question's word (남다 ↔ 소실, 안전 ↔ 취약)
  says no, a plain statement yes; a number the question states that the clause states
  otherwise says no.

Lines are cut into clauses (at "," ":" "·" and "…지만", "…므로"), table rows into one clause
per cell ("흐름 제어 UDP 없음"). When the best clauses disagree, the answer is 판단할 수 없습니다.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

from retriever import TermStats
from retriever.structure import Section, plain

from ..common.lines import Line, section_lines
from ..common.question_type import full_amounts
from .focus import CODE_WORDS
from .coverage import MODE_WORDS  # how a thing is done: a section that never says it cannot decide
from .qterms import QuestionTerms

Terms = Callable[[str], frozenset]
REQUIRED_SHARE = 0.7  # of the weight of the question's nouns a deciding clause (with its context) holds
PREDICATE_BONUS = 2.0
CONTEXT_SHARE = 0.5
CLOSE = 0.8  # a rival clause this close to the best with the other verdict: no verdict
_CLAUSE_RE = re.compile(r"\s*[,:;·→]\s*|(?<=지만|므로|으나|는데)\s+|\s+—\s+")
_NEG_RE = re.compile(r"없|않|못|불가|불필요|안\s*함|안함|아니|미지원|금지|불가능|안\s*(?:되|돼|된)")
_SUIT_RE = re.compile(r"써도|사용해도|골라도|돌려도|괜찮|적합|알맞|적절|맞나|맞아|맞습|좋을까|좋나|정답|오답|"
                      r"\b(?:use|suitable|good for)\b", re.I)
_SUB_NO_RE = re.compile(r"부적합|부적절|오답|단점|쓰면\s*안|피해야|한계")
_SUB_PARTIAL_RE = re.compile(r"부분적")
_ANSWER_ASKED_RE = re.compile(r"정답|오답")
_OPTION_SUB_RE = re.compile(r"\((?:오답|정답|부분적[^)]*)\)")
_LATIN_RE = re.compile(r"[A-Za-z][\w.\-]*")
_HANGUL_RE = re.compile(r"[\uac00-\ud7a3]")
# generic pairs of opposite words (stems as Kiwi gives them)
OPPOSITES = (({"남", "유지", "보존", "보관", "영구", "지속"}, {"소실", "삭제", "사라지", "잃", "임시", "휘발"}),
             ({"안전", "안전하"}, {"취약", "위험"}), ({"쉽"}, {"어렵"}), ({"빠르", "바로", "즉시"}, {"느리", "지연", "대기"}),
             ({"싸", "저렴"}, {"비싸"}), ({"높"}, {"낮"}), ({"크"}, {"작"}), ({"증가", "늘"}, {"감소", "줄"}),
             ({"가능"}, {"불가", "불가능"}), ({"필요"}, {"불필요"}), ({"연결형"}, {"비연결형"}))
SAME = ({"적합", "맞", "알맞", "적절"}, {"해결", "풀"}, {"바꾸", "변경", "조절"}, {"지원", "호환"})


@dataclass(frozen=True)
class Verdict:
    value: str  # "yes" | "no" | "unknown"
    line: Line | None = None  # the deciding line
    clause: str = ""


@dataclass(frozen=True)
class _Clause:
    line: Line
    text: str
    context: str  # what the clause sits under: the line's label, term and sub-section
    mark: str


def _clauses(lines: Sequence[Line]) -> list[_Clause]:
    out: list[_Clause] = []
    for ln in lines:
        u = ln.unit
        if ln.kind == "scenario":  # a problem to solve, not a claim about it
            continue
        ctx = " ".join(x for x in (ln.label, u.sub, u.term) if x)
        if ln.kind == "row":  # one clause per cell, named by the row and the column
            for head, cell in zip(u.cols[1:], u.cells[1:]):
                if cell:
                    out.append(_Clause(ln, f"{u.term} {head} {cell}", ctx, ""))
            continue
        text = plain(ln.code or ln.text)
        parts = [p for p in _CLAUSE_RE.split(text) if p and p.strip()]
        out.extend(_Clause(ln, p.strip(), f"{ctx} {text}", u.mark) for p in parts)
        if u.kind == "answer":  # the 정답 line as a whole, for "… 정답인가요?"
            out.append(_Clause(ln, text, ctx, "✅"))
    return out


def _sub_clauses(lines: Sequence[Line]) -> list[_Clause]:
    """"데이터 복사 방식 (오답)": a sub-section's name is a claim too (for "… 정답인가요?")."""
    subs = {ln.unit.sub: ln for ln in lines if ln.unit.sub}
    return [_Clause(ln, plain(sub), "", "") for sub, ln in subs.items()]


def _stems(term: str) -> set[str]:
    out = {term, *CODE_WORDS.get(term, "").split()}
    for group in SAME:
        if term in group:
            out |= group
    return out


def _opposite(term: str) -> set[str]:
    for a, b in OPPOSITES:
        if term in a:
            return b
        if term in b:
            return a
    return set()


def _flow(c: _Clause) -> bool:
    """A labelled code line that reads as prose ("FLEX 클래스: `요청 대기 → 유휴 용량 활용`"),
    not a statement of a program."""
    code = c.line.code or c.line.text
    return bool(c.line.label and _HANGUL_RE.search(code) and not re.search(r"[={}\[\]#]|\w\(", code))


class VerdictFinder:
    """Decides yes/no questions over one section; `terms(text)` gives a text's Kiwi terms,
    `weight` is the notes' term statistics (IDF, and `in` for the words they use)."""

    def __init__(self, terms: Terms, weight: TermStats) -> None:
        self.terms, self.weight = terms, weight

    def decide(self, question: str, q: QuestionTerms, predicates: Sequence[str], sec: Section,
               negated: bool = False) -> Verdict:
        title = self.terms(sec.title)  # not the heading path: a notes-wide title names every section
        # the nouns the notes know (a word they never use is the learner's own paraphrase)
        required = [t for t in q.content if t not in title and not re.fullmatch(r"[\d.,]+", t) and len(t) > 1
                    and t in self.weight]
        numbers = [n.terms[0] for n in q.named if n.number]
        units = {re.sub(r"[\d.,\s$₩€]", "", a) for a in full_amounts(question)} - {""}
        names = [n.terms[0] for n in q.named if not n.number and n.terms[0] not in title]
        self._q = q
        asked_names = {t for n in q.named for t in n.terms} | set(q.content)
        suit = bool(_SUIT_RE.search(question))
        if not required and not names:  # all it names is the section's topic ("Graviton은 ARM 기반인가요?")
            if any(t not in self.weight and _HANGUL_RE.search(t) and len(t) > 1 for t in q.content):
                return Verdict("unknown")  # … and a word the notes never use ("다른 리전의 클러스터와도"): undecided
            required = [t for t in q.content if len(t) > 1 and not re.fullmatch(r"[\d.,]+", t) and t in self.weight]
        lines = section_lines(sec)
        flat = re.sub(r"\s+", "", " ".join(ln.text for ln in lines))
        if any(a in re.sub(r"\s+", "", question) and a not in flat for a in MODE_WORDS):
            return Verdict("unknown")  # "여러 인스턴스에 동시에 연결할 수 있나요?": the notes never say 동시에
        said_names = {t for n in q.named if not n.number for t in n.terms[:1]}
        rivals = self._rivals(lines, asked_names)
        scored = []
        for c in self._candidates(question, lines, suit, said_names):
            if c.line.kind == "code" and not names and not _flow(c):
                continue  # a bare code line decides nothing; a labelled flow ("FLEX 클래스: `요청 대기 → …`") may
            if self._other_subject(c, asked_names, rivals):
                continue
            got = self._judge(c, required, names, (numbers, units), predicates, suit)
            if got is not None:
                scored.append(got)
        if not scored:
            return Verdict("unknown")
        scored.sort(key=lambda x: -x[0])
        best_score, best_value, best = scored[0]
        if any(v != best_value and s >= CLOSE * best_score for s, v, _ in scored[1:]):
            return Verdict("unknown", best.line, best.text)
        if negated:  # "쓰면 안 되나요?", "컴파일 없이 돌아가나요?": yes when the notes say it the negative way
            best_value = "yes" if best_value == "no" else "no"
        return Verdict(best_value, best.line, best.text)

    def _candidates(self, question: str, lines: Sequence[Line], suit: bool, said: set[str]) -> list[_Clause]:
        """The clauses that may decide: for "… 정답인가요?" the options' sub-sections and the 정답
        line (when the notes name their options so); in a line contrasting two things
        ("종료 시: 인스턴스 스토어는 삭제, EBS는 보존") only the clause that names the asked one."""
        clauses = _clauses(lines)
        if suit and _ANSWER_ASKED_RE.search(question):
            options = [c for c in _sub_clauses(lines) if _OPTION_SUB_RE.search(c.line.unit.sub or "")]
            answer = [c for c in clauses if c.line.unit.kind == "answer" and c.mark == "✅"]
            if options:
                return options + answer
        by_line: dict[tuple[int, str], list[_Clause]] = {}
        for c in clauses:
            by_line.setdefault((c.line.line, c.line.text), []).append(c)
        out: list[_Clause] = []
        for group in by_line.values():
            naming = [i for i, c in enumerate(group) if said & self.terms(c.text)]
            if len(group) > 1 and naming and naming[0] > 0:
                group = [group[i] for i in naming]
            out.extend(group)
        return out + (_sub_clauses(lines) if suit else [])

    def _latin(self, text: str) -> set[str]:
        return {t for t in self.terms(" ".join(_LATIN_RE.findall(text))) if len(t) > 1}

    def _rivals(self, lines: Sequence[Line], asked: set[str]) -> set[str]:
        """Names written in Latin letters that stand beside an asked one: the other terms of the
        same list or block ("Standard 클래스" beside "FLEX 클래스"), a table's other columns
        ("UDP" beside "TCP"). A name beside none of them ("SLA: 특정 시간 보장 없음") is no rival."""
        groups: dict[tuple, set[str]] = {}
        for ln in lines:
            u = ln.unit
            label = ln.label if ln.kind == "code" else ""
            groups.setdefault(("list", u.sub or ""), set()).update(self._latin(f"{u.term or ''} {label}"))
            if u.cols:
                groups.setdefault(("cols", u.sub or ""), set()).update(self._latin(" ".join(u.cols[1:])))
        out: set[str] = set()
        for g in groups.values():
            if g & asked:
                out |= g - asked
        return out

    def _other_subject(self, c: _Clause, asked: set[str], rivals: set[str]) -> bool:
        """A clause about another named thing ("Standard 클래스: 즉시 실행" for a question on
        FLEX; a table's UDP cell for one on TCP): it names a rival of the asked name, in Latin
        letters, and nothing the question names."""
        named = self._latin(f"{c.text} {c.line.unit.term or ''} {c.line.label if c.line.kind == 'code' else ''}")
        return bool(named & rivals) and not named & asked

    def _has(self, term: str, terms: frozenset, text: str) -> bool:
        """A question term in a clause: as a term, a synonym, the code's word, or spelled out
        (Kiwi may cut "브로드캐스트가" into 브로드 + 캐스트 in a note)."""
        if _stems(term) & terms:
            return True
        shown = re.sub(r"\s+", "", self._q.shown.get(term, "")).lower()
        return len(shown) > 1 and shown in re.sub(r"\s+", "", text).lower()

    def _judge(self, c: _Clause, required: Sequence[str], names: Sequence[str],
               numbers: tuple[Sequence[str], set[str]], predicates: Sequence[str],
               suit: bool) -> tuple[float, str, _Clause] | None:
        """(score, "yes"/"no", clause) when the clause holds all the question names, else None."""
        own = self.terms(c.text)
        near = own | self.terms(c.context)
        in_own = lambda t: self._has(t, own, c.text)  # noqa: E731
        in_near = lambda t: in_own(t) or self._has(t, near, c.context)  # noqa: E731
        if not all(in_near(t) for t in names):
            return None
        total = sum(self.weight(t) for t in required)
        held = sum(self.weight(t) for t in required if in_near(t))
        if total and held < REQUIRED_SHARE * total:
            return None
        claim = [t for t in [*predicates, *required] if t not in names]
        if claim and not any(in_own(t) or _opposite(t) & own for t in claim):
            return None  # the clause itself must say what the question asks of its subject
        if not claim and not any(in_own(t) for t in names):
            return None
        score = sum(self.weight(t) for t in dict.fromkeys([*required, *names]) if in_own(t))
        # what the rest of its line says counts a little ("스위치는 …지만 브로드캐스트 도메인은 나누지 못한다")
        score += CONTEXT_SHARE * sum(self.weight(t) for t in required if not in_own(t) and in_near(t))
        # a clause saying the asked property (or its opposite) is the one that decides
        claim = [*predicates, *self._q.content]
        said = [p for p in claim if (_stems(p) - {p}) & own or _opposite(p) & own or (p in predicates and in_own(p))]
        score += PREDICATE_BONUS * sum(self.weight(p) for p in said)
        values, units = numbers
        if values:
            if not all(n in own for n in values):
                stated = [re.sub(r"[\d.,\s$₩€]", "", a) for a in full_amounts(c.text)]
                whole = not total or sum(self.weight(t) for t in required if in_own(t)) >= REQUIRED_SHARE * total
                if units and whole and any(u in units for u in stated):
                    return score, "no", c  # a number of the same unit, another value: no
                return None
            score += sum(self.weight(t) for t in required) or 1.0
        flips = sum(1 for p in claim if _opposite(p) & own and p not in own)
        no = bool(_NEG_RE.search(c.text)) != (flips % 2 == 1)
        if suit:
            sub = c.line.unit.sub or ""
            if c.mark in ("❌", "✖") or _SUB_NO_RE.search(sub) or _SUB_NO_RE.search(c.text):
                no = True
            elif c.mark in ("✅", "🔶") or _SUB_PARTIAL_RE.search(sub):
                no = False
        return score, "no" if no else "yes", c
