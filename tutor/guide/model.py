"""The records of a 단원 요약 (study guide): one `GuideSection` per notes section, every line
with the place in the notes it is quoted from, and the learner's missed items joined in."""
from __future__ import annotations

from dataclasses import dataclass

from ..common.labels import lines_ko
from ..common.types import SourceRef


def cite(ref: SourceRef) -> str:
    """`file.md · heading · 12–14행` (`p. 3` for a page, `p. 3 · 스캔` for a recognised one): where a
    guide line comes from."""
    head = ref.heading.split(" > ")[-1] if ref.heading else ""
    return " · ".join(x for x in (ref.source, head, lines_ko(ref.lines, ref.page, ref.ocr)) if x)


@dataclass(frozen=True)
class GuideLine:
    text: str  # plain text, as the notes say it
    source: SourceRef

    def to_dict(self) -> dict:
        return {"text": self.text, "source": self.source.to_dict()}


@dataclass(frozen=True)
class GuideTerm:
    term: str
    definition: str
    source: SourceRef

    def to_dict(self) -> dict:
        return {"term": self.term, "definition": self.definition, "source": self.source.to_dict()}


@dataclass(frozen=True)
class GuideNumber:
    amount: str  # the number with its unit ("$0.22/DPU-hour", "22")
    text: str  # the line it is in
    source: SourceRef

    def to_dict(self) -> dict:
        return {"amount": self.amount, "text": self.text, "source": self.source.to_dict()}


@dataclass(frozen=True)
class Missed:
    """One item of the learner's 오답 노트, as the guide shows it under its section."""

    item_id: str
    question: str
    answer: str
    wrong_count: int
    section: str  # the section title the item was made from
    source: SourceRef

    def to_dict(self) -> dict:
        return {"id": self.item_id, "question": self.question, "answer": self.answer,
                "wrong_count": self.wrong_count, "source": self.source.to_dict()}


@dataclass(frozen=True)
class GuideSection:
    section: str  # the section title
    source: SourceRef  # the whole section
    scenario: GuideLine | None
    answer: GuideLine | None
    terms: tuple[GuideTerm, ...]
    points: tuple[GuideLine, ...]  # 시험 포인트; for plain notes the key sentences
    use: tuple[GuideLine, ...]  # ✅ when to use
    avoid: tuple[GuideLine, ...]  # ❌ when not, the traps
    numbers: tuple[GuideNumber, ...]
    missed: tuple[Missed, ...] = ()

    def to_dict(self) -> dict:
        one = lambda x: x.to_dict() if x is not None else None  # noqa: E731
        return {"section": self.section, "source": self.source.to_dict(), "scenario": one(self.scenario),
                "answer": one(self.answer), "terms": [t.to_dict() for t in self.terms],
                "points": [p.to_dict() for p in self.points], "use": [u.to_dict() for u in self.use],
                "avoid": [a.to_dict() for a in self.avoid], "numbers": [n.to_dict() for n in self.numbers],
                "missed": [m.to_dict() for m in self.missed]}


@dataclass(frozen=True)
class Guide:
    """A study guide: its sections in note order (`user`: whose misses are joined in, or "")."""

    sections: tuple[GuideSection, ...]
    user: str = ""

    def to_dict(self) -> dict:
        return {"sections": [s.to_dict() for s in self.sections]}


class UnknownSection(ValueError):
    """`--section` matched no section; `sections` lists the titles there are."""

    def __init__(self, wanted: str, sections: tuple[str, ...]) -> None:
        shown = " · ".join(sections) if sections else "(없음)"
        super().__init__(f"'{wanted}'에 맞는 단원이 없습니다. 단원: {shown}")
        self.wanted, self.sections = wanted, sections
