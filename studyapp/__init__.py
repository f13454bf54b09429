"""The application: `StudyApp` is the one door the CLI, the web page and the API go through.

Also re-exported here, for the interfaces: the settings, the result types its verbs return,
the errors they raise, and the words and text helpers shown to people — so that an interface
never imports `retriever`, `tutor` or `learning` itself (the import contract checks it).
"""
from learning import (DEFAULT_PER_DAY, DEFAULT_TARGET, MAX_EXAM_ITEMS, MINUTES_PER_ITEM, BatchOutcome, ExamResult,
                      ExamSection, ExamSheet, GradeResult, InvalidAnswer, InvalidInput, LearnerSettings, MissedItem,
                      NotShown, OptimizeResult, PlanDay, Progress, RATINGS, RecordError, ReviewQueue, SectionForecast,
                      StudyPlan, UnknownItem, WrongEntry, WrongNotes, parse_at)
from retriever import MAX_QUERY_CHARS, MODES, BuildReport, Hit, QueryError
from retriever.highlight import excerpt_window, mark
from tutor.common.labels import (CHOICE_KINDS, KIND_LABELS, OPTION_LETTERS, RATING_LABELS, REASON_LABELS,
                                 RECOGNISED_NOTE, kind_label, lines_ko, location)
from tutor.common.marks import strip_marks
from tutor.common.particles import josa
from tutor.common.types import QUIZ_KINDS, Answer, Grade, Quiz, QuizItem, Turn
from tutor.guide import Guide, GuideSection, UnknownSection
from tutor.quizzes import source_label

from learning import (FLAG_WORDS, LOCK, MAX_FAILURES, MIN_ANSWERS, MIN_PASSWORD_CHARS, ROLES, Account, AccountExists,
                      ClassProgress, ItemAnalysis, ItemRow, LearnerSummary, LoginResult, UnknownAccount)

from .accounts import LEARNER, TEACHER, NotTeacher
from .app import IndexState, StudyApp, Upload
from .cluster import Cluster, ClusterError
from .exams import DEFAULT_EXAM_ITEMS
from .guides import GUIDE_FORMATS, GuideError
from .index_report import index_headline, index_summary, skipped_lines
from .notes import ALLOWED_SUFFIXES, NoteRow, SavedNote, UploadError
from .optimize_jobs import OptimizeJob
from .planning import Budget
from .practice import MAX_QUIZ_ITEMS, REVIEW_SIZE, ReviewStart
from .quiz_session import QuizSession
from .record import Graded
from .settings import Settings, SettingsError
from .teacher import CLASS_TABLES

# Errors that mean the input was bad (exit code 2 on the command line), not the database.
BAD_INPUT = (InvalidInput, InvalidAnswer, UnknownItem, NotShown, QueryError)

__all__ = [
    "ALLOWED_SUFFIXES", "Answer", "BAD_INPUT", "BuildReport", "CHOICE_KINDS", "Grade", "GradeResult", "Graded",
    "Hit", "IndexState", "KIND_LABELS", "MAX_QUERY_CHARS", "MAX_QUIZ_ITEMS", "MODES", "NoteRow", "OPTION_LETTERS",
    "Progress", "QUIZ_KINDS", "QueryError", "Quiz", "QuizItem", "QuizSession", "RATINGS", "RATING_LABELS",
    "REASON_LABELS", "RECOGNISED_NOTE", "REVIEW_SIZE", "RecordError", "ReviewQueue", "ReviewStart", "SavedNote", "Settings",
    "SettingsError", "StudyApp", "Turn", "Upload", "UploadError", "WrongEntry", "WrongNotes", "excerpt_window",
    "index_headline", "index_summary", "josa", "kind_label", "lines_ko", "location", "mark", "parse_at", "skipped_lines",
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
