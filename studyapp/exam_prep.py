"""The verbs of studying toward the exam (mixed into `StudyApp`): grading in batches and "as
of" another time, the 학습 계획 (a budget in items or minutes), the learner's study settings,
모의고사, and personal FSRS parameters (at once, or in the background for the page) — each for
an explicit user, each the one path every interface takes."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Iterable, Mapping

from learning import ExamResult, ExamSheet, InvalidInput, OptimizeResult, StudyPlan

from . import exams, planning
from .optimize_jobs import OptimizeJob, OptimizeJobs
from .record import NotesRecord

if TYPE_CHECKING:  # the record's row types: imported with the record, not with the app
    from learning import BatchOutcome, LearnerSettings


class ExamPrepVerbs:
    _record: NotesRecord
    _optimize_jobs: OptimizeJobs

    # -- grading --------------------------------------------------------------------------
    def grade_batch(self, user: str, lines: Iterable[str]) -> tuple[BatchOutcome, ...]:
        """Grade and record the lines of a JSONL batch file, in order, each on its own; a bad
        line is reported with its number and skipped (see `NotesRecord.grade_batch`)."""
        return self._record.grade_batch(user, lines)

    # -- the plan and the settings ----------------------------------------------------------
    def budget(self, user: str, minutes: float) -> planning.Budget:
        """Minutes a day as items a day at `user`'s measured pace (median seconds per answer)."""
        return planning.budget(self._record.record, user, minutes)

    def plan(self, user: str, exam: date | str | None = None, per_day: int | None = None,
             target: float | None = None, at: datetime | None = None, minutes: float | None = None) -> StudyPlan:
        """`user`'s 학습 계획 to the exam. Unset values come from their settings (then
        `STUDY_EXAM_DATE`, 20 a day, 0.9); `minutes` is a budget in minutes a day instead of
        `per_day`. `InvalidInput` (one line) for no exam date, a past or malformed one, a budget
        of 0 or less, a target outside (0.5, 0.99)."""
        if minutes is not None:
            if per_day is not None:
                raise InvalidInput("하루 문제 수와 하루 공부 시간 중 하나만 주세요 (per_day or minutes)")
            per_day = self.budget(user, minutes).per_day
        return planning.make_plan(self._record.record, self._record.library, user, exam, per_day, target, at)

    def study_settings(self, user: str) -> LearnerSettings:
        """`user`'s settings as they apply (exam date, budget, target, desired retention)."""
        return self._record.record.learner_settings(user)

    def set_study_settings(self, user: str, *, per_day: int | None = None, minutes: float | None = None,
                           target: float | None = None, desired_retention: float | None = None) -> LearnerSettings:
        """Store the given settings (the others stay); `minutes` is stored as items a day at the
        learner's pace. The desired retention schedules the learner's next reviews."""
        if minutes is not None:
            if per_day is not None:
                raise InvalidInput("하루 문제 수와 하루 공부 시간 중 하나만 주세요 (per_day or minutes)")
            per_day = self.budget(user, minutes).per_day
        return self._record.record.set_study_settings(user, per_day=per_day, target=target,
                                                      desired_retention=desired_retention)

    # -- 모의고사 ----------------------------------------------------------------------------
    def start_exam(self, user: str, n: int = exams.DEFAULT_EXAM_ITEMS, minutes: float | None = None,
                   seed: int | None = None, at: datetime | None = None) -> ExamSheet:
        """A new 모의고사 of `n` items across the sections (recorded as shown; `minutes`
        default 1.5 per item). Its `to_dict()` hides the answers."""
        rec = self._record
        return rec.marked(exams.start(rec.record, rec.library, rec.context, user, n, minutes, seed, at))

    def submit_exam(self, user: str, exam_id: str, answers: Mapping[str, str], at: datetime | None = None,
                    timed_out: bool = False) -> ExamResult:
        """Grade and record a 모의고사's answers (`{item id: answer}`; missing ones count wrong).
        `timed_out`: sent by the page's countdown at zero (counts as made at the time limit)."""
        rec = self._record
        return rec.marked(exams.submit(rec.record, rec.verdict, user, exam_id, answers, at, timed_out))

    def exam_result(self, user: str, exam_id: str) -> ExamResult:
        """The report of `user`'s submitted 모의고사."""
        return self._record.marked(self._record.record.exam_result(user, exam_id))

    # -- personal FSRS parameters -----------------------------------------------------------
    def optimize(self, user: str) -> OptimizeResult:
        """Fit `user`'s FSRS parameters now (seconds; see `LearningRecord.optimize`)."""
        return self._record.record.optimize(user)

    def start_optimize(self, user: str) -> OptimizeJob:
        """Start fitting `user`'s parameters in the background (the page looks again later)."""
        return self._optimize_jobs.start(user)

    def optimize_job(self, user: str) -> OptimizeJob | None:
        """Where `user`'s background fit stands (None: none started since the app started)."""
        return self._optimize_jobs.get(user)
