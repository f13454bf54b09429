"""The learning record: every graded answer kept, FSRS review, 오답 노트, progress per section.

The only package that imports SQLAlchemy and `fsrs`; of the tutor it uses only `tutor.common.types`.
Importing it opens nothing: `LearningRecord.open(url)` connects and migrates.

    rec = LearningRecord.open(default_url("data"))          # or STUDY_DATABASE_URL
    rec.show("local", [ItemContext.from_text(item, section, source_text)])
    res = rec.record_attempt("local", item.id, "답", correct=True)  # graded by the caller
    rec.rate("local", res.attempt_id, "hard")                 # the learner's own rating, afterwards
    rec.review("local", n=10); rec.wrong("local"); rec.progress("local"); rec.next_due("local")
    rec.record_attempt("local", item.id, "답", correct, at=when)   # graded by the caller, "as of" `when`
    rec.record_batch("local", [GradedAnswer(item.id, "답", True, line=1)])
    p = rec.plan("local", exam="2025-11-13", per_day=20); rec.review("local", n=20, plan=p)
    sheet = rec.start_exam("local", ctxs); rec.submit_exam("local", sheet.exam_id, graded)
    rec.optimize("local")                                      # personal FSRS parameters
    rec.add_account("kim", "pw…", "teacher"); rec.login("kim", "pw…")   # Argon2id, lockout
    rec.import_accounts(parse_roster(csv_text))                # a class roster, all or nothing
    rec.class_progress(); rec.item_analysis(); rec.retire_item(item_id, by="kim")
"""
from retriever.lazy_names import lazy_names

# Where each exported name lives: importing the package imports none of them.
_EXPORTS: dict[str, tuple[str, ...]] = {
    ".accounts": ("Account", "AccountExists", "LoginResult", "UnknownAccount"),
    ".attempts": ("TooEarly",),
    ".batch": ("BatchLine", "BatchOutcome", "GradedAnswer", "parse_batch_line"),
    ".class_results": ("ClassProgress", "ItemAnalysis", "ItemRow", "LearnerSummary", "class_progress_csv",
        "item_analysis_csv"),
    ".clock": ("parse_at", "parse_exam_date"),
    ".db": ("default_url",),
    ".errors": ("DatabaseFailure", "DatabaseUnavailable", "InvalidAnswer", "InvalidInput", "NotShown",
        "RecordError", "UnknownItem"),
    ".exam_results": ("ExamResult", "ExamSection", "ExamSheet", "MissedItem"),
    ".exam_share": ("share_by_section",),
    ".exams": ("MAX_EXAM_ITEMS", "MINUTES_PER_ITEM", "ExamAlreadySubmitted", "UnknownExam"),
    ".wrong_files": ("export_wrong_anki", "export_wrong_csv"),
    ".item_stats": ("FLAG_WORDS", "MIN_ANSWERS", "ItemStat", "item_statistics"),
    ".items": ("MAX_ANSWER_CHARS", "ItemContext", "source_hash"),
    ".learner": ("LearnerSettings",),
    ".lockout": ("LOCK", "MAX_FAILURES", "WINDOW"),
    ".passwords": ("MIN_PASSWORD_CHARS", "check_password"),
    ".optimize": ("OptimizeResult",),
    ".plan_types": ("DEFAULT_PER_DAY", "DEFAULT_TARGET", "PlanDay", "SectionForecast", "StudyPlan"),
    ".record": ("LearningRecord",),
    ".rerate": ("UnknownAttempt",),
    ".roster": ("ROLES", "RosterRow", "check_name", "check_role", "parse_roster"),
    ".results": ("DayCount", "ExamForecast", "GradeResult", "Progress", "ReviewEntry", "ReviewQueue",
        "SectionProgress", "StaleReport", "WrongEntry", "WrongNotes"),
    ".scheduler": ("RATINGS",),
    ".sections": ("weak_key",),
}
__getattr__, __dir__ = lazy_names(__name__, _EXPORTS)


DEFAULT_USER = "local"

__all__ = [
    "Account", "AccountExists", "ClassProgress", "FLAG_WORDS", "ItemAnalysis", "ItemRow", "ItemStat",
    "LOCK", "LearnerSummary", "LoginResult", "MAX_FAILURES", "MIN_ANSWERS", "MIN_PASSWORD_CHARS", "ROLES",
    "RosterRow", "UnknownAccount", "WINDOW", "check_name", "check_password", "check_role", "class_progress_csv",
    "item_analysis_csv", "item_statistics", "parse_roster",
    "BatchLine", "BatchOutcome", "DEFAULT_PER_DAY", "DEFAULT_TARGET", "DEFAULT_USER", "DatabaseFailure",
    "DatabaseUnavailable", "DayCount", "ExamAlreadySubmitted", "ExamForecast", "ExamResult", "ExamSection",
    "ExamSheet", "GradeResult", "GradedAnswer", "InvalidAnswer", "InvalidInput", "ItemContext", "LearnerSettings",
    "LearningRecord", "MAX_ANSWER_CHARS", "MAX_EXAM_ITEMS", "MINUTES_PER_ITEM", "MissedItem", "NotShown",
    "OptimizeResult", "PlanDay", "Progress", "RATINGS", "RecordError", "ReviewEntry", "ReviewQueue",
    "SectionForecast", "SectionProgress", "StaleReport", "StudyPlan", "TooEarly", "UnknownAttempt", "UnknownExam",
    "UnknownItem", "WrongEntry", "WrongNotes", "default_url", "export_wrong_anki", "export_wrong_csv", "parse_at",
    "parse_batch_line", "parse_exam_date", "share_by_section", "source_hash", "weak_key",
]
