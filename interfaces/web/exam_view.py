"""What the 모의고사 tab shows: the learner's run through the sheet (their answers, kept in the
browser's state until they submit), the countdown, and the report — note text always escaped.

No feedback until the end: nothing here shows an item's answer before the exam is submitted.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from studyapp import CHOICE_KINDS, ExamResult, ExamSheet, kind_label, lines_ko

from .render import esc, esc_md

START_HINT = "문항 수와 제한 시간을 고르고 **모의고사 시작**을 누르세요. 끝까지 채점 결과는 보이지 않습니다."

# The countdown runs in the page (no request per second): it reads the exam and the seconds left
# from the clock's own HTML, counts down, and at zero sends the exam as it stands (`submit`).
CLOCK_JS = """
if (!element.dataset.timer) {
  element.dataset.timer = '1';
  const pad = (x) => String(x).padStart(2, '0');
  setInterval(() => {
    const box = element.querySelector('[data-exam]');
    if (!box) return;
    if (box.dataset.exam !== element.dataset.exam) {
      element.dataset.exam = box.dataset.exam;
      element.dataset.end = String(Date.now() + 1000 * Number(box.dataset.remaining));
      element.dataset.fired = '';
    }
    if (box.dataset.state !== 'running') return;
    const left = Math.max(0, Math.ceil((Number(element.dataset.end) - Date.now()) / 1000));
    const out = box.querySelector('.exam-left');
    if (out) out.textContent = pad(Math.floor(left / 60)) + ':' + pad(left % 60);
    if (left <= 60) box.classList.add('exam-hurry');
    if (left === 0 && !element.dataset.fired) {
      element.dataset.fired = '1';
      trigger('submit');
    }
  }, 250);
}
"""

CLOCK_CSS = """
.exam-clock {font-size: 1.35em; font-weight: 600; padding: 6px 0; font-variant-numeric: tabular-nums;}
.exam-clock.exam-hurry {color: #c92a2a;}
"""
REPORT_CSS = """
.exam-score {font-size: 1.2em; margin: 6px 0 10px;}
.exam-late {color: #c92a2a; font-weight: 600; margin-left: 6px;}
.exam-sections td.num {text-align: right; font-variant-numeric: tabular-nums;}
"""


@dataclass(frozen=True)
class ExamRun:
    """One learner's 모의고사 in their browser: the sheet, an answer per item, where they are."""

    sheet: ExamSheet | None = None
    answers: tuple[str, ...] = ()
    pos: int = 0
    result: ExamResult | None = None
    message: str = ""

    @classmethod
    def start(cls, sheet: ExamSheet) -> "ExamRun":
        return cls(sheet, ("",) * len(sheet.items))

    @property
    def running(self) -> bool:
        return self.sheet is not None and self.result is None

    def answered(self, text: str | None) -> "ExamRun":
        """The current item's answer set to `text` (while the exam runs)."""
        if not self.running:
            return self
        answers = list(self.answers)
        answers[self.pos] = (text or "").strip()
        return replace(self, answers=tuple(answers), message="")

    def moved(self, step: int) -> "ExamRun":
        if not self.running:
            return self
        return replace(self, pos=max(0, min(len(self.answers) - 1, self.pos + step)))

    def by_id(self) -> dict[str, str]:
        """The answers given, by item id (unanswered items are left out: they count wrong)."""
        assert self.sheet is not None
        return {it.id: a for it, a in zip(self.sheet.items, self.answers) if a}


@dataclass(frozen=True)
class QuestionView:
    header: str
    question: str
    choices: list[str]
    choice_visible: bool
    text_visible: bool
    value: str


def question_view(run: ExamRun) -> QuestionView:
    if not run.running:
        msg = f"⚠️ {esc_md(run.message)}" if run.message else START_HINT
        return QuestionView(msg if run.result is None else "", "", [], False, False, "")
    sheet = run.sheet
    assert sheet is not None
    item = sheet.items[run.pos]
    done = sum(bool(a) for a in run.answers)
    header = (f"문제 **{run.pos + 1} / {len(sheet.items)}** · 답한 문제 **{done}**개 · "
              f"제한 {sheet.minutes:g}분 · 채점은 제출한 뒤에")
    if run.message:
        header += f"\n\n> ⚠️ {esc_md(run.message)}"
    is_choice = item.kind in CHOICE_KINDS and bool(item.options)
    return QuestionView(header, f"**[{kind_label(item.kind)}]** {esc_md(item.question)}", list(item.options),
                        is_choice, not is_choice, run.answers[run.pos])


def clock_html(run: ExamRun, now: datetime) -> str:
    """The countdown's HTML: the exam, its seconds left and whether it runs (read by CLOCK_JS)."""
    if run.sheet is None:
        return '<div class="exam-clock" data-exam="" data-state="idle">⏱️ 시험 전</div>'
    sheet = run.sheet
    if run.result is not None:
        return (f'<div class="exam-clock" data-exam="{esc(sheet.exam_id)}" data-state="done">⏱️ 제출됨 · 걸린 시간 '
                f'{minutes_ko(run.result.seconds)} / 제한 {sheet.minutes:g}분</div>')
    left = max(0.0, (sheet.deadline - now).total_seconds())
    shown = f"{int(left // 60):02d}:{int(left % 60):02d}"
    return (f'<div class="exam-clock" data-exam="{esc(sheet.exam_id)}" data-remaining="{left:.1f}" '
            f'data-state="running">⏱️ 남은 시간 <b class="exam-left">{shown}</b> / {sheet.minutes:g}분</div>')


def minutes_ko(seconds: float) -> str:
    return f"{int(seconds // 60)}분 {int(seconds % 60)}초"


def report_html(result: ExamResult, minutes: float) -> str:
    """Score, the table per section, the time used, and the missed items with the right answer
    and the source."""
    late = (f' <span class="exam-late">⏰ 제한 {minutes:g}분을 넘겨 제출 (늦은 제출로 기록)</span>'
            if result.late else "")
    rows = "".join(f"<tr><td>{esc(s.section)}</td><td class='num'>{s.correct} / {s.total}</td>"
                   f"<td class='num'>{round(100 * s.correct / s.total) if s.total else 0}%</td></tr>"
                   for s in result.sections)
    parts = [f'<div class="exam-score">점수 <b>{result.score:g}점</b> ({result.correct} / {result.total}) · '
             f"걸린 시간 {minutes_ko(result.seconds)} / 제한 {minutes:g}분{late}</div>",
             "<table class='study-notes exam-sections'><thead><tr><th>단원</th><th>맞힘 / 문제</th><th>정답률</th>"
             f"</tr></thead><tbody>{rows}</tbody></table>"]
    if not result.missed:
        parts.append('<div class="study-empty">🎉 틀린 문제가 없습니다.</div>')
    else:
        parts.append(f'<div class="study-count">틀린 문제 {len(result.missed)}개 — 모두 학습 기록과 오답 노트에 남았습니다</div>')
    for i, m in enumerate(result.missed, 1):
        src = m.item.source
        given = esc(m.given) if m.given is not None else "(답 없음)"
        parts.append(f'<div class="study-hit exam-missed"><div class="study-hit-head"><span class="study-rank">[{i}]'
                     f'</span> {esc(kind_label(m.item.kind))} · {esc(m.section)}</div>'
                     f'<div class="study-question">{esc(m.item.question)}</div>'
                     f'<div>내 답: <span class="study-mine">{given}</span> · 정답: <b>{esc(m.item.answer)}</b></div>'
                     f'<div class="study-heading">출처: {esc(src.source)} · {esc(src.heading)} · '
                     f'{esc(lines_ko(src.lines, src.page, src.ocr))}</div></div>')
    return "".join(parts)
