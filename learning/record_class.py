"""`LearningRecord`'s view of the class (a mixin): learners × sections mastery and activity,
the item analysis, and retiring an item for everyone. Who may read it is decided above the
record (`studyapp` checks the teacher's role); here every method is role-agnostic."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Sequence

from . import class_view
from .class_results import ClassProgress, ItemAnalysis
from .item_stats import MIN_ANSWERS
from .items import check_item_id

if TYPE_CHECKING:
    from .record import LearningRecord


class ClassMethods:
    """The class view (mixed into `LearningRecord`)."""

    def class_learners(self: "LearningRecord") -> tuple[str, ...]:
        """Learner accounts and users with a record, teachers left out."""
        with self._read() as conn:
            return tuple(class_view.learners(conn))

    def class_progress(self: "LearningRecord", at: datetime | None = None,
                       sections: Sequence[str] = ()) -> ClassProgress:
        """Learners × sections mastery (each at their own horizon), answers in the last 7 days,
        who has not studied for 7 days. `sections`: the notes' order."""
        now = self._now(at)
        with self._read() as conn:
            return class_view.class_progress(conn, self._schedulers, self.tz, now, self.default_exam_date, sections)

    def item_analysis(self: "LearningRecord", at: datetime | None = None,
                      min_answers: int = MIN_ANSWERS) -> ItemAnalysis:
        """Facility, discrimination and flags of every item with ≥ `min_answers` first answers."""
        with self._read() as conn:
            return class_view.item_analysis(conn, self.tz, self._now(at), min_answers)

    def retire_item(self: "LearningRecord", item_id: str, retired: bool = True, by: str | None = None,
                    at: datetime | None = None) -> bool:
        """Retire an item (never scheduled again for anyone; answers kept) or restore it; True
        when it changed. `UnknownItem` for an id never recorded."""
        item_id, now = check_item_id(item_id), self._now(at)
        with self._write() as conn:
            return class_view.set_retired(conn, item_id, bool(retired), by, now)

    def retired_ids(self: "LearningRecord") -> frozenset[str]:
        """The ids of every retired item (what quizzes and exams leave out)."""
        with self._read() as conn:
            return class_view.retired_ids(conn)
