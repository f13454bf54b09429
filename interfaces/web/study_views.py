"""What the 복습, 오답 노트 and 학습 현황 tabs show, built from the learning record's results:
Markdown and HTML (note text always escaped through `render`) and pandas frames for the plots."""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from studyapp import (REASON_LABELS, Progress, ReviewStart, WrongEntry, WrongNotes, kind_label, lines_ko,
                      strip_marks)

from .render import esc, esc_md

ALL_SECTIONS = "(전체 단원)"
EXCERPT_CHARS = 300


def short_section(title: str) -> str:
    """A section title for a chart axis: the part before " - " (the full title is in the tooltip)."""
    head = title.split(" - ")[0].strip()
    return head if len(head) <= 28 else head[:27] + "…"


def when_ko(when: datetime, now: datetime) -> str:
    days = (when.date() - now.date()).days
    rel = "오늘" if days <= 0 else "내일" if days == 1 else f"{days}일 후"
    return f"{when.strftime('%Y-%m-%d %H:%M')} ({rel})"


# -- 복습 ---------------------------------------------------------------------------------
def review_status(start: ReviewStart, now: datetime) -> str:
    s = start.session
    if s.message:
        return f"⚠️ {esc_md(s.message)}"
    if not s.items:
        if start.next_due is None:
            return ("### 🎉 지금 복습할 문제가 없습니다\n아직 예정된 복습이 없습니다. **퀴즈** 탭에서 문제를 풀면 "
                    "복습 일정이 잡힙니다.")
        return f"### 🎉 지금 복습할 문제가 없습니다\n다음 복습: **{when_ko(start.next_due, now)}**"
    counts = {r: start.reasons.count(r) for r in REASON_LABELS}
    parts = " · ".join(f"{REASON_LABELS[r]} {n}개" for r, n in counts.items() if n)
    if start.plan_day is not None:  # the session follows the 학습 계획
        return f"### 오늘의 학습 {len(s.items)}문제 (학습 계획)\n{parts}"
    return f"### 오늘의 복습 {len(s.items)}문제\n{parts}"


# -- 오답 노트 ----------------------------------------------------------------------------
def wrong_sections(notes: WrongNotes) -> list[str]:
    return [ALL_SECTIONS] + list(dict.fromkeys(e.section for e in notes.items))


def wrong_choices(notes: WrongNotes) -> list[tuple[str, str]]:
    out = []
    for i, e in enumerate(notes.items, 1):
        q = " ".join(e.item.question.split())
        out.append((f"{i}. {q[:50]}{'…' if len(q) > 50 else ''}", e.item.id))
    return out


def _entry_html(i: int, e: WrongEntry, excerpt: str | None) -> str:
    it, src = e.item, e.item.source
    opts = "".join(f"<li>{esc(strip_marks(o))}</li>" for o in it.options)
    body = " ".join(strip_marks(excerpt or "").split())
    if len(body) > EXCERPT_CHARS:
        body = body[:EXCERPT_CHARS].rstrip() + " …"
    quote = (f'<blockquote class="study-excerpt">{esc(body)}</blockquote>' if body
             else '<div class="study-heading">(원문이 바뀌었거나 없어졌습니다)</div>')
    return (f'<div class="study-hit study-wrong" data-item="{esc(it.id)}">'
            f'<div class="study-hit-head"><span class="study-rank">[{i}]</span> {esc(kind_label(it.kind))} · '
            f'{esc(e.section)} <span class="study-lines">틀린 횟수 {e.wrong_count} / 답 {e.attempts}</span></div>'
            f'<div class="study-question">{esc(strip_marks(it.question))}</div>'
            + (f"<ul>{opts}</ul>" if opts else "")
            + f'<div>내 답: <span class="study-mine">{esc(e.last_answer)}</span> · 정답: <b>{esc(it.answer)}</b></div>'
            f'<div>해설: {esc(strip_marks(it.explanation))}</div>'
            f'<div class="study-heading">출처: {esc(src.source)} · {esc(src.heading)} · {esc(lines_ko(src.lines, src.page, src.ocr))}</div>'
            f"{quote}</div>")


def wrong_html(notes: WrongNotes, excerpt_of: Callable[[WrongEntry], str | None]) -> str:
    if not notes.items:
        return '<div class="study-empty">🎉 오답 노트가 비어 있습니다.</div>'
    head = f'<div class="study-count">오답 {len(notes.items)}개 (가장 최근에 틀린 순)</div>'
    return head + "".join(_entry_html(i, e, excerpt_of(e)) for i, e in enumerate(notes.items, 1))


# -- 학습 현황 ----------------------------------------------------------------------------
def progress_summary(p: Progress) -> str:
    acc = f"{p.correct / p.attempts:.0%}" if p.attempts else "-"
    today = p.attempts_per_day[-1].count if p.attempts_per_day else 0
    return (f"👤 **{esc_md(p.user)}** · 답 **{p.attempts}**개 (정답 {p.correct}, 정답률 {acc}) · 오늘 {today}개 · "
            f"연속 학습 **{p.streak_days}**일 · 지금 복습할 카드 **{p.due_now}**개")


def mastery_frame(p: Progress):
    import pandas as pd

    return pd.DataFrame({"단원": [short_section(s.section) for s in p.sections],
                         "숙달도(%)": [round(100 * s.mastery, 1) for s in p.sections],
                         "정답률(%)": [None if s.accuracy is None else round(100 * s.accuracy, 1) for s in p.sections],
                         "답": [s.attempts for s in p.sections], "전체 제목": [s.section for s in p.sections]})


def attempts_frame(p: Progress):
    import pandas as pd

    return pd.DataFrame({"날짜": [d.day.strftime("%m-%d") for d in p.attempts_per_day],
                         "답한 수": [d.count for d in p.attempts_per_day]})


def due_frame(p: Progress):
    import pandas as pd

    return pd.DataFrame({"날짜": [d.day.strftime("%m-%d") for d in p.due_per_day],
                         "복습 예정": [d.count for d in p.due_per_day]})


def exam_frame(p: Progress):
    import pandas as pd

    rows = p.exam.predicted_retention if p.exam else ()
    return pd.DataFrame({"단원": [short_section(s) for s, _ in rows],
                         "예상 기억률(%)": [round(100 * r, 1) for _, r in rows], "전체 제목": [s for s, _ in rows]})


def exam_summary(p: Progress) -> str:
    if p.exam is None:
        return "시험일을 입력하면 그날의 단원별 예상 기억률을 보여 줍니다."
    return (f"시험일 **{p.exam.date.isoformat()}** 예상 기억률: 전체 **{p.exam.overall:.0%}** — 지금부터 더 "
            "복습하지 않을 때 FSRS가 예측한 값입니다 (안 푼 문제는 0%).")
