"""단원 요약 (study guide): per section of the notes, what to know before the exam — built from
the notes' structure with no LLM (`build`), its records (`model`) and its files: Markdown,
HTML and an A4 PDF (`render`, `pdf`)."""
from .build import attach_missed, build_guide, guide_section, select_sections
from .model import Guide, GuideLine, GuideNumber, GuideSection, GuideTerm, Missed, UnknownSection, cite

__all__ = ["Guide", "GuideLine", "GuideNumber", "GuideSection", "GuideTerm", "Missed", "UnknownSection",
           "attach_missed", "build_guide", "cite", "guide_section", "select_sections"]
