"""The learning record bound to the notes: which section and text each item came from, the
one grading path (the tutor grades, the record keeps the answer), staleness after the notes
change.

The record itself (SQLAlchemy, FSRS) lives in `learning/`; this module supplies what it needs
from the notes and the tutor. The user id is always passed in.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Iterable

# The record's SQLAlchemy side (LearningRecord, the batch and item rows) is imported where it
# is used: a command that never opens the record (`ask`, `search`) never imports SQLAlchemy.
from learning import (GradeResult, InvalidInput, NotShown, OptimizeResult, PlanDay, Progress, ReviewEntry, ReviewQueue,
                      StaleReport, UnknownItem, WrongNotes, parse_exam_date)
from retriever import NotesLibrary
from tutor.common.types import Grade, QuizItem
from tutor.quizzes import grade, section_titles

from . import planning
from .scan_marks import T, marked
from .settings import Settings

if TYPE_CHECKING:
    from learning import BatchOutcome, GradedAnswer, ItemContext, LearningRecord


@dataclass(frozen=True)
class Graded:
    """One graded answer: the tutor's verdict with its feedback, and what the record kept."""

    grade: Grade
    record: GradeResult

    def to_dict(self) -> dict:
        return self.record.to_dict()


def record_url(settings: Settings) -> str:
    """Where the learning record lives: STUDY_DATABASE_URL, else SQLite in the data folder."""
    from learning import default_url

    return settings.database_url or default_url(settings.data_dir)


class NotesRecord:
    """Opens the record on first use (a CLI search never connects) and keeps it open."""

    def __init__(self, library: NotesLibrary, settings: Settings) -> None:
        self.library = library
        self.settings = settings
        self.default_exam_date = parse_exam_date(settings.exam_date) if settings.exam_date else None
        self._record: LearningRecord | None = None
        self._lock = threading.Lock()

    @cached_property
    def url(self) -> str:
        return record_url(self.settings)

    @property
    def record(self) -> LearningRecord:
        if self._record is None:
            with self._lock:
                if self._record is None:
                    from learning import LearningRecord

                    self._record = LearningRecord.open(self.url, default_exam_date=self.default_exam_date)
        return self._record

    @property
    def notice(self) -> str | None:
        """A one-line notice when a corrupt record file was moved aside at open."""
        return self.record.notice

    def close(self) -> None:
        if self._record is not None:
            self._record.close()

    # -- the notes side -------------------------------------------------------------------
    def _lines(self) -> dict[str, list[str]]:
        return self.library.memo("studyapp:note-lines",
                                 lambda: {n.source: n.text.split("\n") for n in self.library.notes()})

    def source_text(self, source: str, lines: tuple[int, int]) -> str | None:
        """The current text of lines `a..b` of an indexed note (None when the note is gone)."""
        text = self._lines().get(source)
        if text is None or lines[0] < 1 or lines[1] > len(text):
            return None
        return "\n".join(text[lines[0] - 1:lines[1]])

    def context(self, item: QuizItem) -> ItemContext:
        from learning import ItemContext

        src = item.source
        section = item.section or src.heading.split(" > ")[0] or src.source
        return ItemContext.from_text(item, section, self.source_text(src.source, src.lines) or "")

    def marked(self, value: T) -> T:
        """A result read back from the record with its items cited as scans where their page
        was recognised (OCR), like fresh items (`scan_marks`)."""
        return marked(value, self.library.recognised_pages())

    def refresh_stale(self) -> StaleReport:
        """Mark items whose source text changed; once per index generation."""
        return self.library.memo(f"studyapp:stale:{self.url}",
                                 lambda: self.record.mark_stale(self.source_text))

    # -- the record -----------------------------------------------------------------------
    def remember(self, user: str, items: Iterable[QuizItem], at: datetime | None = None) -> int:
        """Record the items shown to `user` (new cards for new items)."""
        return self.record.show(user, [self.context(it) for it in items], at=at)

    def without_retired(self, items: Iterable[QuizItem]) -> list[QuizItem]:
        """The items a teacher has not retired (a retired item is never shown again)."""
        retired = self.record.retired_ids()
        return [it for it in items if it.id not in retired]

    def item(self, user: str, item_id: str) -> QuizItem:
        """The item as it was shown to `user` (UnknownItem / NotShown otherwise), cited as now."""
        return self.marked(self.record.item(user, item_id))

    def verdict(self, item: QuizItem, answer: str) -> Grade:
        """The tutor's grade of `answer` to `item` (nothing recorded)."""
        return grade(item, answer, self.library.tokenizer)

    def grade(self, user: str, item_id: str, answer: str, rating: str | None = None,
              seconds: float | None = None, at: datetime | None = None) -> Graded:
        """Grade `user`'s answer to an item shown to them and record it (committed on return);
        `at`: the time of the answer (default now; `TooEarly` before the item was shown or
        before the learner's previous answer to it)."""
        item = self.item(user, item_id)
        verdict = self.verdict(item, answer)
        res = self.record.record_attempt(user, item_id, answer, verdict.correct, rating=rating,
                                         seconds=seconds, at=at)
        return Graded(verdict, res)

    def grade_batch(self, user: str, lines: Iterable[str]) -> tuple[BatchOutcome, ...]:
        """Grade and record the lines of a JSONL batch file in order, each line its own
        transaction: `{"item_id","answer","at"?,"rating"?,"seconds"?}`. A line that cannot be
        read, graded or recorded is reported with its number and skipped (nothing of it written);
        blank lines are skipped silently."""
        from learning import BatchOutcome, GradedAnswer, parse_batch_line

        out: dict[int, BatchOutcome] = {}
        graded: list[GradedAnswer] = []
        for n, text in enumerate(lines, start=1):
            try:
                line = parse_batch_line(text, n, self.record.tz)
                if line is None:
                    continue
                item = self.record.item(user, line.item_id)
            except (InvalidInput, UnknownItem, NotShown) as exc:
                msg = str(exc)
                out[n] = BatchOutcome(n, None, msg if msg.startswith(f"줄 {n}:") else f"줄 {n}: {msg}")
                continue
            ok = self.verdict(item, line.answer).correct
            graded.append(GradedAnswer(line.item_id, line.answer, ok, line.rating, line.at, line.seconds, n))
        for outcome in self.record.record_batch(user, graded):
            out[outcome.line] = outcome
        return tuple(out[n] for n in sorted(out))

    def record_optimize(self, user: str) -> OptimizeResult:
        """Fit and keep `user`'s FSRS parameters (opens the record on first use)."""
        return self.record.optimize(user)

    def rate(self, user: str, attempt_id: int, rating: str) -> GradeResult:
        """The learner's own rating of their latest answer to an item (re-schedules the card)."""
        return self.record.rate(user, attempt_id, rating)

    def next_due(self, user: str, at: datetime | None = None) -> datetime | None:
        return self.record.next_due(user, at=at)

    def review(self, user: str, n: int | None, at: datetime | None = None, *, fallback: int
               ) -> tuple[ReviewQueue, PlanDay | None]:
        """What to study now, and today's plan day when it follows one. With an exam date ahead
        the queue is today's planned reviews and new items (`n` None: all of them; a new item on
        a fact never shown is made from the notes and recorded as shown — only for "now", never
        for another `at`); otherwise due cards, then weak and new items (`n` or `fallback`)."""
        self.refresh_stale()
        rec = self.record
        plan = planning.todays_plan(rec, self.library, user, at)
        day = plan.today if plan is not None else None
        if plan is None or day is None:
            return self.marked(rec.review(user, n=n or fallback, at=at)), None
        from learning.record import MAX_QUEUE

        size = min(n or planning.planned_size(day), MAX_QUEUE)
        queue = self.marked(rec.review(user, n=size, at=at, plan=plan))
        fresh = planning.fresh_for_today(rec, self.library, user, day) if at is None else []
        fresh = fresh[:size - len(queue.items)]
        if fresh:
            self.remember(user, fresh)
            extra = tuple(ReviewEntry(it, "new", None, it.section) for it in fresh)
            queue = ReviewQueue(queue.user, queue.at, queue.items + extra)
        return queue, day

    def wrong(self, user: str, at: datetime | None = None) -> WrongNotes:
        self.refresh_stale()
        return self.marked(self.record.wrong(user, at=at))

    def progress(self, user: str, at: datetime | None = None) -> Progress:
        self.refresh_stale()
        return self.record.progress(user, at=at, sections=section_titles(self.library))

    def set_exam_date(self, user: str, day: date | None) -> None:
        self.record.set_exam_date(user, day)

    def exam_date(self, user: str) -> date | None:
        return self.record.exam_date(user)
