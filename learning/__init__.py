"""The learning record: every graded answer kept, FSRS review, 오답 노트, progress per section.

The only package that imports SQLAlchemy and `fsrs`; of the tutor it uses only `tutor.common.types`.
Importing it opens nothing: `LearningRecord.open(url)` connects and migrates.

    rec = LearningRecord.open(default_url("data"))          # or STUDY_DATABASE_URL
    rec.show("local", [ItemContext.from_text(item, section, source_text)])
    res = rec.record_attempt("local", item.id, "답", correct=True)  # graded by the caller
    rec.rate("local", res.attempt_id, "hard")                 # the learner's own rating, afterwards
    rec.review("local", n=10); rec.wrong("local"); rec.progress("local"); rec.next_due("local")
"""
from .clock import parse_at, parse_exam_date
from .db import default_url
from .errors import (DatabaseFailure, DatabaseUnavailable, InvalidAnswer, InvalidInput, NotShown,
                     RecordError, UnknownItem)
from .wrong_files import export_wrong_anki, export_wrong_csv
from .items import MAX_ANSWER_CHARS, ItemContext, source_hash
from .record import LearningRecord
from .rerate import UnknownAttempt
from .results import (DayCount, ExamForecast, GradeResult, Progress, ReviewEntry, ReviewQueue,
                      SectionProgress, StaleReport, WrongEntry, WrongNotes)
from .scheduler import RATINGS

DEFAULT_USER = "local"

__all__ = [
    "DEFAULT_USER", "DatabaseFailure", "DatabaseUnavailable", "DayCount", "ExamForecast", "GradeResult",
    "InvalidAnswer", "InvalidInput", "ItemContext", "LearningRecord", "MAX_ANSWER_CHARS", "NotShown",
    "Progress", "RATINGS", "RecordError", "ReviewEntry", "ReviewQueue", "SectionProgress", "StaleReport",
    "UnknownAttempt", "UnknownItem", "WrongEntry", "WrongNotes", "default_url", "export_wrong_anki", "export_wrong_csv",
    "parse_at", "parse_exam_date", "source_hash",
]
