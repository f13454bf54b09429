"""What a teacher reads about the class: frozen dataclasses whose `to_dict()` is the CLI's
`class … --json` shape and the API's result, and their CSV files (UTF-8 with BOM, opens in
Excel)."""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .item_stats import FLAG_WORDS, ItemStat

INACTIVE_DAYS = 7


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.isoformat(timespec="seconds")


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


@dataclass(frozen=True)
class LearnerSummary:
    user: str
    mastery: tuple[float, ...]  # per section, in `ClassProgress.sections` order
    attempts_7d: int  # answers in the last 7 days
    attempts: int  # answers ever
    last_at: datetime | None  # the latest answer
    inactive: bool  # no answer in the last 7 days (or never)

    def to_dict(self, sections: tuple[str, ...]) -> dict:
        return {"user": self.user, "mastery": {s: _r(m) for s, m in zip(sections, self.mastery)},
                "attempts_7d": self.attempts_7d, "attempts": self.attempts, "last_at": _iso(self.last_at),
                "inactive": self.inactive}


@dataclass(frozen=True)
class ClassProgress:
    """Learners × sections mastery (honest, at each learner's horizon), answers in the last 7
    days and who has not studied for 7 days."""

    at: datetime
    sections: tuple[str, ...]
    learners: tuple[LearnerSummary, ...]

    @property
    def inactive(self) -> tuple[str, ...]:
        return tuple(s.user for s in self.learners if s.inactive)

    def to_dict(self) -> dict:
        return {"at": _iso(self.at), "sections": list(self.sections),
                "learners": [s.to_dict(self.sections) for s in self.learners],
                "attempts_7d": sum(s.attempts_7d for s in self.learners), "inactive": list(self.inactive)}


@dataclass(frozen=True)
class ItemRow:
    """One analysed item: what it asks, where it is from, its statistics and whether it is retired."""

    item_id: str
    kind: str
    question: str
    section: str
    source: str
    retired: bool
    stat: ItemStat

    def to_dict(self) -> dict:
        s = self.stat
        return {"id": self.item_id, "kind": self.kind, "question": self.question, "section": self.section,
                "source": self.source, "answers": s.answers, "correct": s.correct, "facility": _r(s.facility),
                "discrimination": _r(s.discrimination), "flags": list(s.flags), "retired": self.retired}


@dataclass(frozen=True)
class ItemAnalysis:
    at: datetime
    min_answers: int
    items: tuple[ItemRow, ...]  # flagged first, then by facility
    fewer: int  # items answered, but by fewer learners than `min_answers`
    learners: int  # learners whose answers were read

    def to_dict(self) -> dict:
        return {"at": _iso(self.at), "min_answers": self.min_answers, "learners": self.learners,
                "items": [r.to_dict() for r in self.items], "fewer": self.fewer}


def _write(path: str | os.PathLike, header: list[str], rows: list[list]) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def class_progress_csv(cp: ClassProgress, path: str | os.PathLike) -> Path:
    """One row per learner: mastery per section (%), answers in 7 days, ever, the latest answer."""
    header = ["user", *cp.sections, "attempts_7d", "attempts", "last_at", "inactive"]
    rows = [[s.user, *(round(m * 100, 1) for m in s.mastery), s.attempts_7d, s.attempts, _iso(s.last_at) or "",
             int(s.inactive)] for s in cp.learners]
    return _write(path, header, rows)


def item_analysis_csv(ia: ItemAnalysis, path: str | os.PathLike) -> Path:
    header = ["id", "kind", "section", "question", "answers", "correct", "facility", "discrimination", "flags",
              "retired", "source"]
    rows = [[r.item_id, r.kind, r.section, r.question, r.stat.answers, r.stat.correct, _r(r.stat.facility),
             "" if r.stat.discrimination is None else _r(r.stat.discrimination),
             " ".join(FLAG_WORDS[f] for f in r.stat.flags), int(r.retired), r.source] for r in ia.items]
    return _write(path, header, rows)
