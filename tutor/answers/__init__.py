"""Answers grounded in the notes: evidence for a question (`evidence`), the lines that answer
it (`focus`), the template answer (`compose`), follow-up turns (`followup`) and the `Tutor`
that puts them together, with an LLM when one is configured (`tutor`)."""
from .tutor import Tutor

__all__ = ["Tutor"]
