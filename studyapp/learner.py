"""The learner's verbs of `StudyApp` (mixed into it): quizzes, grading, rating, review, the
오답 노트 and progress — each for an explicit user, each the one path every interface takes."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Iterable, Sequence

from learning import Progress, ReviewQueue, WrongNotes, export_wrong_anki, export_wrong_csv, parse_exam_date
from tutor.common.types import Quiz, QuizItem
from tutor.quizzes import export_anki, export_csv

from .downloads import DownloadFolder
from .practice import REVIEW_SIZE, Practice, ReviewStart
from .quiz_session import QuizSession
from .record import Graded, NotesRecord

EXPORT_FORMATS = ("csv", "anki")


def export_format(fmt: str) -> str:
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"알 수 없는 내보내기 형식: {fmt} ({', '.join(EXPORT_FORMATS)})")
    return fmt


class LearnerVerbs:
    _record: NotesRecord
    _practice: Practice
    _downloads: DownloadFolder

    @property
    def record_notice(self) -> str | None:
        """A one-line notice when a corrupt record was moved aside at open (opens the record)."""
        return self._record.notice

    # -- quizzes --------------------------------------------------------------------------
    def quiz(self, user: str, topic: str | None = None, n: int = 5, kinds: Iterable[str] | str | None = None,
             seed: int | None = 0) -> Quiz:
        """A quiz (at most `MAX_QUIZ_ITEMS`) whose items are recorded as shown to `user`;
        QueryError for an unknown kind."""
        return self._practice.quiz(user, topic, n, kinds, seed)

    def quiz_session(self, user: str, topic: str | None, n: int, kinds: Iterable[str] | str | None,
                     seed: int | None = None) -> QuizSession:
        """The same quiz as a session (bad input becomes the session's message)."""
        return self._practice.quiz_session(user, topic, n, kinds, seed)

    def weak_session(self, user: str, n: int, kinds: Iterable[str] | str | None,
                     seed: int | None = None) -> QuizSession:
        """Items from `user`'s weakest sections as a session."""
        return self._practice.weak_session(user, n, kinds, seed)

    def export_quiz(self, items: Sequence[QuizItem], fmt: str, out: Path | None = None,
                    topic: str | None = None) -> Path:
        """`items` as CSV or an Anki deck, to `out` or a new file in the download folder."""
        deck = f"학습 노트 퀴즈{' - ' + topic if topic else ''}"
        if export_format(fmt) == "csv":
            write = lambda path: export_csv(items, path)  # noqa: E731
        else:
            write = lambda path: export_anki(items, path, deck_name=deck)  # noqa: E731
        return write(out) if out is not None else self._downloads.write_with(write, "quiz", _suffix(fmt))

    def shown_item(self, user: str, item_id: str) -> QuizItem:
        """The item as it was shown to `user` (UnknownItem / NotShown otherwise)."""
        return self._record.item(user, item_id)

    # -- answers --------------------------------------------------------------------------
    def grade(self, user: str, item_id: str, answer: str, rating: str | None = None,
              seconds: float | None = None, at: datetime | None = None) -> Graded:
        """Grade an answer to an item shown to `user` and record it (committed on return)."""
        return self._record.grade(user, item_id, answer, rating=rating, seconds=seconds, at=at)

    def submit(self, user: str, session: QuizSession, response: str | None) -> QuizSession:
        """Grade and record the session's current item — once per item of the session."""
        return self._practice.submit(user, session, response)

    def rate(self, user: str, session: QuizSession, rating: str) -> QuizSession:
        """The learner's own rating of the session's current answer (re-rates that attempt)."""
        return self._practice.rate(user, session, rating)

    # -- review, 오답 노트, progress ----------------------------------------------------------
    def review(self, user: str, n: int | None = None, at: datetime | None = None) -> ReviewQueue:
        """What to study now: on a day of the learner's 학습 계획, the day's planned reviews and
        new items (`n` None: all of them); otherwise due, weak, new (`n` or `REVIEW_SIZE`)."""
        return self._record.review(user, n, at=at, fallback=REVIEW_SIZE)[0]

    def review_session(self, user: str, n: int | None = None) -> ReviewStart:
        return self._practice.review_session(user, n)

    def wrong(self, user: str, section: str | None = None, at: datetime | None = None) -> WrongNotes:
        """`user`'s 오답 노트, all of it or one section's."""
        notes = self._record.wrong(user, at=at)
        if section:
            notes = WrongNotes(notes.user, tuple(e for e in notes.items if e.section == section))
        return notes

    def retry_session(self, user: str, item_ids: Sequence[str] | None = None,
                      section: str | None = None) -> QuizSession:
        return self._practice.retry_session(user, item_ids, section)

    def export_wrong(self, user: str, section: str | None, fmt: str, out: Path | None = None) -> Path | None:
        """The (filtered) 오답 노트 as CSV or an Anki deck; None when it is empty and no `out` is given."""
        notes = self.wrong(user, section)
        if not notes.items and out is None:
            return None
        write = (lambda path: export_wrong_csv(notes, path)) if export_format(fmt) == "csv" else (
            lambda path: export_wrong_anki(notes, path))
        return write(out) if out is not None else self._downloads.write_with(write, "wrong", _suffix(fmt))

    def excerpt(self, item: QuizItem) -> str | None:
        """The item's source lines as the notes read now (None when they are gone)."""
        return self._record.source_text(item.source.source, item.source.lines)

    def progress(self, user: str, at: datetime | None = None) -> Progress:
        return self._record.progress(user, at=at)

    def set_exam_date(self, user: str, text: str | None) -> date | None:
        """Set (YYYY-MM-DD) or clear (empty) `user`'s exam date; InvalidInput when malformed."""
        day = parse_exam_date(text)
        self._record.set_exam_date(user, day)
        return day

    def exam_date(self, user: str) -> date | None:
        return self._record.exam_date(user)


def _suffix(fmt: str) -> str:
    return ".csv" if fmt == "csv" else ".apkg"
