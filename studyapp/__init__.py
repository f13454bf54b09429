"""The application: `StudyApp` is the one door the CLI, the web page and the API go through.

Also re-exported here, for the interfaces: the settings, the result types its verbs return,
the errors they raise, and the words and text helpers shown to people — so that an interface
never imports `retriever`, `tutor` or `learning` itself (the import contract checks it).
"""
from retriever.lazy_names import lazy_names

# Where each exported name lives: importing the package imports none of them.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "learning": ("DEFAULT_PER_DAY", "DEFAULT_TARGET", "MAX_EXAM_ITEMS", "MINUTES_PER_ITEM", "BatchOutcome",
        "ExamResult", "ExamSection", "ExamSheet", "GradeResult", "InvalidAnswer", "InvalidInput",
        "LearnerSettings", "MissedItem", "NotShown", "OptimizeResult", "PlanDay", "Progress", "RATINGS",
        "RecordError", "ReviewQueue", "SectionForecast", "StudyPlan", "UnknownItem", "WrongEntry", "WrongNotes",
        "parse_at", "FLAG_WORDS", "LOCK", "MAX_FAILURES", "MIN_ANSWERS", "MIN_PASSWORD_CHARS", "ROLES", "Account",
        "AccountExists", "ClassProgress", "ItemAnalysis", "ItemRow", "LearnerSummary", "LoginResult",
        "UnknownAccount"),
    "retriever": ("MAX_QUERY_CHARS", "MODES", "BuildReport", "Hit", "QueryError", "Weights"),
    "retriever.highlight": ("excerpt_window", "mark"),
    "retriever.kiwi_ahead": ("kiwi_ahead",),
    "tutor.common.labels": ("CHOICE_KINDS", "KIND_LABELS", "OPTION_LETTERS", "RATING_LABELS", "REASON_LABELS",
        "RECOGNISED_NOTE", "kind_label", "lines_ko", "location"),
    "tutor.common.marks": ("strip_marks",),
    "tutor.common.particles": ("josa",),
    "tutor.common.types": ("QUIZ_KINDS", "Answer", "Grade", "Quiz", "QuizItem", "Turn"),
    "tutor.guide": ("Guide", "GuideSection", "UnknownSection"),
    "tutor.quizzes": ("source_label",),
    ".accounts": ("LEARNER", "TEACHER", "NotTeacher"),
    ".app": ("IndexState", "StudyApp", "Upload"),
    ".cluster": ("Cluster", "ClusterError"),
    ".exams": ("DEFAULT_EXAM_ITEMS",),
    ".guides": ("GUIDE_FORMATS", "GuideError"),
    ".index_report": ("index_headline", "index_summary", "skipped_lines"),
    ".notes": ("ALLOWED_SUFFIXES", "NoteRow", "SavedNote", "UploadError"),
    ".optimize_jobs": ("OptimizeJob",),
    ".planning": ("Budget",),
    ".practice": ("MAX_QUIZ_ITEMS", "REVIEW_SIZE", "ReviewStart"),
    ".quiz_session": ("QuizSession",),
    ".record": ("Graded",),
    ".settings": ("Settings", "SettingsError"),
    ".teacher": ("CLASS_TABLES",),
}
_lazy, __dir__ = lazy_names(__name__, _EXPORTS)


def __getattr__(name: str):
    """A name is imported from its module on first use (PEP 562): a command imports only what
    its verbs use (`ask` never imports the learning record, so no SQLAlchemy)."""
    if name == "BAD_INPUT":  # errors that mean the input was bad (exit code 2), not the database
        value = (_lazy("InvalidInput"), _lazy("InvalidAnswer"), _lazy("UnknownItem"), _lazy("NotShown"),
                 _lazy("QueryError"))
        globals()[name] = value
        return value
    return _lazy(name)


__all__ = [
    "ALLOWED_SUFFIXES", "Answer", "BAD_INPUT", "BuildReport", "CHOICE_KINDS", "Grade", "GradeResult", "Graded",
    "Hit", "IndexState", "KIND_LABELS", "MAX_QUERY_CHARS", "MAX_QUIZ_ITEMS", "MODES", "NoteRow", "OPTION_LETTERS",
    "Progress", "QUIZ_KINDS", "QueryError", "Quiz", "QuizItem", "QuizSession", "RATINGS", "RATING_LABELS",
    "REASON_LABELS", "RECOGNISED_NOTE", "REVIEW_SIZE", "RecordError", "ReviewQueue", "ReviewStart", "SavedNote",
    "Settings", "SettingsError", "StudyApp", "Turn", "Upload", "UploadError", "Weights", "WrongEntry", "WrongNotes",
    "excerpt_window",
    "index_headline", "index_summary", "josa", "kind_label", "kiwi_ahead", "lines_ko", "location", "mark", "parse_at", "skipped_lines",
    "source_label", "strip_marks",
]
# 학습 계획, 모의고사, personal FSRS: the results of `ExamPrepVerbs` and their defaults
__all__ += [
    "BatchOutcome", "Budget", "DEFAULT_EXAM_ITEMS", "DEFAULT_PER_DAY", "DEFAULT_TARGET", "ExamResult", "ExamSection",
    "ExamSheet", "LearnerSettings", "MAX_EXAM_ITEMS", "MINUTES_PER_ITEM", "MissedItem", "OptimizeJob",
    "OptimizeResult", "PlanDay", "SectionForecast", "StudyPlan",
]
# 단원 요약 (study guide): `GuideVerbs`
__all__ += ["GUIDE_FORMATS", "Guide", "GuideError", "GuideSection", "UnknownSection"]
# a class: accounts, logins and the teacher's view (`AccountVerbs`, `TeacherVerbs`)
__all__ += [
    "Account", "AccountExists", "CLASS_TABLES", "Cluster", "ClusterError", "ClassProgress", "FLAG_WORDS", "ItemAnalysis", "ItemRow", "LEARNER",
    "LOCK", "LearnerSummary", "LoginResult", "MAX_FAILURES", "MIN_ANSWERS", "MIN_PASSWORD_CHARS", "NotTeacher",
    "ROLES", "TEACHER", "UnknownAccount",
]
