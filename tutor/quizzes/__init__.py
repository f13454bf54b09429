"""Practice items from the notes and their grading: template generators per kind (`mcq`,
`code_items`, `table_items`, `structured`, `cards`) over `candidates`, balanced options
(`options`), the item-writing check (`checks`), what they know of words (`lexicon`), the
pool made once per index generation (`pool`), selection (`select`), LLM-written items
(`llm_items`), the quiz (`make`), grading (`grading`) and CSV/Anki files (`files`)."""
from .files import export_anki, export_csv, source_label
from .grading import grade
from .make import make_quiz, parse_kinds, section_titles
from .pool import QuizPools

__all__ = ["QuizPools", "export_anki", "export_csv", "grade", "make_quiz", "parse_kinds", "section_titles",
           "source_label"]
