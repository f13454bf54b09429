"""모의고사 storage: start (items recorded as shown, in order, with a time limit), read, and
submit (answers graded by the caller, each recorded as an attempt; unanswered counts wrong)."""
from __future__ import annotations

import math
import secrets
from datetime import datetime, tzinfo
from typing import Mapping

from sqlalchemy import Connection, select, update

from .attempts import TooEarly, record_one
from .clock import iso
from .errors import InvalidInput
from .exam_results import ExamResult, ExamSection, ExamSheet, MissedItem
from .items import ITEM_COLUMNS, ItemContext, row_to_item
from .models import EXAM_ITEMS, EXAMS, ITEMS
from .scheduler import FSRS, choose_rating
from .sections import section_order
from .writes import record_shown

MAX_EXAM_ITEMS = 100
MINUTES_PER_ITEM = 1.5
MAX_MINUTES = 600.0


class UnknownExam(InvalidInput):
    """No 모의고사 with this id for this user (another user's looks the same)."""

    def __init__(self, exam_id: object) -> None:
        super().__init__(f"이 사용자의 모의고사가 아닙니다 (unknown exam): {str(exam_id)[:60]}")


class ExamAlreadySubmitted(InvalidInput):
    def __init__(self, exam_id: str, when: str | None) -> None:
        super().__init__(f"이미 제출한 모의고사입니다 (already submitted at {when}): {exam_id}")


def new_exam_id() -> str:
    return "exam-" + secrets.token_hex(8)


def check_minutes(minutes: object, n: int) -> float:
    """The time limit: default 1.5 minutes per item; more than 0 and at most 600."""
    if minutes is None:
        return MINUTES_PER_ITEM * n
    try:
        value = float(minutes)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        value = math.nan
    if isinstance(minutes, bool) or not math.isfinite(value) or not 0 < value <= MAX_MINUTES:
        raise InvalidInput(f"시험 시간은 0분보다 길고 {MAX_MINUTES:.0f}분 이하여야 합니다 (minutes): {minutes!r}")
    return value


def check_exam_items(ctxs: list[ItemContext]) -> None:
    if not 1 <= len(ctxs) <= MAX_EXAM_ITEMS:
        raise InvalidInput(f"모의고사 문제 수는 1~{MAX_EXAM_ITEMS}개여야 합니다 (items): {len(ctxs)}")
    ids = [c.item.id.strip() for c in ctxs if isinstance(c, ItemContext)]
    if len(set(ids)) != len(ids):
        raise InvalidInput("모의고사에 같은 문제가 두 번 있습니다 (duplicate item)")


def insert_exam(conn: Connection, user: str, exam_id: str, ctxs: list[ItemContext], minutes: float,
                now: datetime) -> None:
    record_shown(conn, user, ctxs, now)
    conn.execute(EXAMS.insert().values(id=exam_id, user_id=user, created_at=now, minutes=minutes,
                                       total=len(ctxs)))
    conn.execute(EXAM_ITEMS.insert(), [{"exam_id": exam_id, "position": k, "item_id": c.item.id.strip()}
                                       for k, c in enumerate(ctxs)])


def load_exam(conn: Connection, user: str, exam_id: object, lock: bool = False):
    if not isinstance(exam_id, str) or not exam_id.strip() or len(exam_id) > 40:
        raise UnknownExam(exam_id)
    q = select(EXAMS).where(EXAMS.c.id == exam_id.strip(), EXAMS.c.user_id == user)
    row = conn.execute(q.with_for_update() if lock else q).first()
    if row is None:
        raise UnknownExam(exam_id)
    return row


def exam_rows(conn: Connection, exam_id: str) -> list:
    e = EXAM_ITEMS.c
    q = (select(*ITEM_COLUMNS, ITEMS.c.section, e.position, e.given, e.correct, e.attempt_id)
         .join_from(EXAM_ITEMS, ITEMS, e.item_id == ITEMS.c.id).where(e.exam_id == exam_id).order_by(e.position))
    return conn.execute(q).all()


def sheet(exam, rows: list, tz: tzinfo) -> ExamSheet:
    return ExamSheet(exam.id, exam.user_id, exam.created_at.astimezone(tz), exam.minutes,
                     tuple(row_to_item(r._mapping) for r in rows), tuple(r.section for r in rows),
                     None if exam.submitted_at is None else exam.submitted_at.astimezone(tz))


def result(exam, rows: list, tz: tzinfo) -> ExamResult:
    """The report of a submitted exam, from its stored rows."""
    per: dict[str, list[int]] = {}
    missed = []
    for r in rows:
        acc = per.setdefault(r.section, [0, 0])
        acc[0] += bool(r.correct)
        acc[1] += 1
        if not r.correct:
            missed.append(MissedItem(row_to_item(r._mapping), r.given, r.section))
    sections = tuple(ExamSection(s, *per[s]) for s in section_order(per))
    return ExamResult(exam.id, exam.user_id, exam.score, exam.correct, exam.total, exam.seconds, bool(exam.late),
                      exam.submitted_at.astimezone(tz), sections, tuple(missed),
                      tuple(r.attempt_id for r in rows if r.attempt_id is not None))


def submit(conn: Connection, fsrs: FSRS, tz: tzinfo, user: str, exam_id: str,
           answers: Mapping[str, tuple[str, bool]], when: datetime, explicit: bool) -> ExamResult:
    """Record every item of the exam as an attempt at `when` (an item without an answer, or
    with a blank one, counts wrong) and the score; one transaction."""
    exam = load_exam(conn, user, exam_id, lock=True)
    if exam.submitted_at is not None:
        raise ExamAlreadySubmitted(exam.id, iso(exam.submitted_at, tz))
    if explicit and when < exam.created_at:
        raise TooEarly(f"제출 시각이 시험 시작보다 앞섭니다 (submitted before the start): "
                       f"{iso(when, tz)} < {iso(exam.created_at, tz)}")
    when = max(when, exam.created_at)
    rows = exam_rows(conn, exam.id)
    unknown = sorted(set(answers) - {r.id for r in rows})
    if unknown:
        raise InvalidInput(f"이 모의고사에 없는 문제입니다 (not in this exam): {', '.join(unknown)[:100]}")
    right = 0
    for r in rows:
        given, ok = answers.get(r.id, ("", False))
        answered = bool(given and given.strip())
        ok = bool(ok) and answered
        res = record_one(conn, fsrs, tz, user, r.id, given if answered else "", ok, choose_rating(ok, None),
                         None, when, explicit)
        right += ok
        conn.execute(update(EXAM_ITEMS).where(EXAM_ITEMS.c.exam_id == exam.id, EXAM_ITEMS.c.position == r.position)
                     .values(given=given if answered else None, correct=ok, attempt_id=res.attempt_id))
    seconds = (when - exam.created_at).total_seconds()
    conn.execute(update(EXAMS).where(EXAMS.c.id == exam.id).values(
        submitted_at=when, seconds=seconds, correct=right, score=round(100.0 * right / len(rows), 1),
        late=seconds > exam.minutes * 60))
    return result(load_exam(conn, user, exam.id), exam_rows(conn, exam.id), tz)
