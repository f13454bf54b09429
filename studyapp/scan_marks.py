"""Items read back from the learning record, cited like fresh ones: "p. 3 · 스캔" for a page
recognised from a scan or photo (OCR).

The record keeps an item's page but not whether that page was recognised; the index knows
which pages of which file were (`NotesLibrary.recognised_pages`), so the items of the review
queue, the 오답 노트 (and its retries, exports, the 단원 요약's misses), 모의고사 sheets and
results, and the item a grade's feedback cites are marked here — from the notes as they are now,
with no column in the record. The mark is not part of an item's identity (`SourceRef.ocr`).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Mapping, TypeVar

from learning import ExamResult, ExamSheet, ReviewQueue, WrongNotes
from tutor.common.types import QuizItem

Pages = Mapping[str, frozenset[int]]  # file → its recognised pages (1-based)
T = TypeVar("T", QuizItem, ReviewQueue, WrongNotes, ExamSheet, ExamResult)


def mark_item(item: QuizItem, pages: Pages) -> QuizItem:
    """`item` with its source marked as a scan when its page was recognised."""
    src = item.source
    if src.ocr or src.page is None or src.page not in pages.get(src.source, ()):
        return item
    return replace(item, source=replace(src, ocr=True))


def marked(value: T, pages: Pages) -> T:
    """A record's result with every item in it marked (`mark_item`); unchanged without scans."""
    if not pages:
        return value
    if isinstance(value, QuizItem):
        return mark_item(value, pages)
    if isinstance(value, (ReviewQueue, WrongNotes)):
        return replace(value, items=tuple(replace(e, item=mark_item(e.item, pages)) for e in value.items))
    if isinstance(value, ExamSheet):
        return replace(value, items=tuple(mark_item(it, pages) for it in value.items))
    if isinstance(value, ExamResult):
        return replace(value, missed=tuple(replace(m, item=mark_item(m.item, pages)) for m in value.missed))
    raise TypeError(f"no items to mark in {type(value).__name__}")
