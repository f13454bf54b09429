"""The planner's view of the learner: accuracy per section, the order new items come in, and
predicted recall on the exam day (now, and if the plan is kept)."""
from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Callable, Mapping

from .clock import exam_moment
from .fsrs_math import MemoryModel, days_between
from .plan_types import PlanRequest, SectionForecast
from .sections import section_order, weak_key

if TYPE_CHECKING:
    from .plan import _Run

SMOOTHING = 5  # answers' worth of the prior when accuracy is measured on few answers


def section_odds(accuracy: Mapping[str, tuple[int, int]], prior: float) -> Callable[[str], float]:
    """Section → the chance of a right answer the plan assumes: the learner's measured accuracy
    there, smoothed toward their overall accuracy (itself smoothed toward FSRS's desired
    retention, the accuracy FSRS expects at a due review) by `SMOOTHING` answers."""
    attempts = sum(a for a, _ in accuracy.values())
    correct = sum(c for _, c in accuracy.values())
    overall = (correct + SMOOTHING * prior) / (attempts + SMOOTHING)
    odds = {s: (c + SMOOTHING * overall) / (a + SMOOTHING) for s, (a, c) in accuracy.items()}

    def p(section: str) -> float:
        return min(0.99, max(0.05, odds.get(section, overall)))

    return p


def _now_recall(req: PlanRequest, model: MemoryModel) -> list[float]:
    """Per card: recall on the exam day with no more study, counted honestly (latest answer
    wrong or never answered → 0)."""
    exam_t = days_between(req.at, exam_moment(req.exam, req.tz))
    out = []
    for c in req.cards:
        if c.is_new or not c.latest_right:
            out.append(0.0)
        else:
            out.append(model.recall(float(c.stability), exam_t - days_between(req.at, c.last_review)))
    return out


def section_mastery(req: PlanRequest, model: MemoryModel) -> dict[str, float]:
    """Section → mastery at the exam date (unseen items count 0)."""
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    for c, r in zip(req.cards, _now_recall(req, model)):
        sums[c.section][0] += r
        sums[c.section][1] += 1
    for s, n in req.unseen.items():
        sums[s][1] += n
    return {s: t / n for s, (t, n) in sums.items() if n}


def new_units(req: PlanRequest, model: MemoryModel) -> list[tuple[str, str | None]]:
    """Items to introduce, weakest and unseen sections first: (section, item id or None for an
    item never shown)."""
    mastery = section_mastery(req, model)
    rank = {s: k for k, s in enumerate(req.section_order)}

    def key(s: str) -> tuple:
        a, c = req.accuracy.get(s, (0, 0))
        return weak_key(s, mastery.get(s, 0.0), a, c / a if a else None, rank.get(s, len(rank)))

    fresh: dict[str, list] = defaultdict(list)
    for c in sorted(req.cards, key=lambda c: (c.due, c.item_id)):
        if c.is_new:
            fresh[c.section].append(c.item_id)
    units: list[tuple[str, str | None]] = []
    for s in sorted(set(fresh) | {s for s, n in req.unseen.items() if n > 0}, key=key):
        units += [(s, i) for i in fresh[s]] + [(s, None)] * int(req.unseen.get(s, 0))
    return units


def forecast(req: PlanRequest, model: MemoryModel, run: "_Run") -> tuple[tuple[SectionForecast, ...], float, float]:
    """Per section and overall: recall on the exam day now and with the plan kept."""
    now_cards = _now_recall(req, model)
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])  # now, exam, items
    answered = [c for c in req.cards if not c.is_new]
    by_id = {c.item_id: r for c, r in zip(req.cards, now_cards)}
    for k, c in enumerate(answered):
        now = by_id[c.item_id]
        exam = model.recall(run.mem[k].stability, run.exam_t - run.last[k]) if run.touched[k] else now
        row = sums[c.section]
        row[0], row[1], row[2] = row[0] + now, row[1] + exam, row[2] + 1
    for j, (s, _) in enumerate(run.units):
        k = len(answered) + j
        exam = model.recall(run.mem[k].stability, run.exam_t - run.last[k]) if run.touched[k] else 0.0
        row = sums[s]
        row[1], row[2] = row[1] + exam, row[2] + 1
    order = section_order(sums, req.section_order)
    sections = tuple(SectionForecast(s, sums[s][0] / sums[s][2], sums[s][1] / sums[s][2]) for s in order)
    items = sum(r[2] for r in sums.values())
    overall = sum(r[1] for r in sums.values()) / items if items else 0.0
    overall_now = sum(r[0] for r in sums.values()) / items if items else 0.0
    return sections, overall, overall_now
