"""What the 학습 계획 tab shows (the chart's data, the feasibility line, today's tasks, the
predicted recall on the exam day), 학습 현황's mastery table with its 도움말, and the report of
a personal-parameter fit — Markdown and HTML with note text escaped, pandas frames for plots."""
from __future__ import annotations

import time

from studyapp import Budget, LearnerSettings, OptimizeJob, OptimizeResult, Progress, StudyPlan

from .render import esc, esc_md

REVIEW, NEW, EXAM_DAY = "복습", "새 문제", "🎯 시험일"
PLAN_COLORS = {REVIEW: "#4c78a8", NEW: "#f58518", EXAM_DAY: "#e45756"}

MASTERY_HELP = ("ℹ️ **도움말** — **숙달도**: 기준일(시험일, 없으면 7일 뒤)에 기억하고 있을 것으로 예상되는 문제의 "
                "비율입니다. 마지막 답이 틀렸거나 아직 풀지 않은 문제는 0으로 셉니다 (방금 틀린 단원은 0%). "
                "**정답률**: 지금까지 낸 답 가운데 맞힌 답의 비율입니다.")


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.0%}"


# -- 학습 현황: mastery with accuracy beside it ------------------------------------------------
def mastery_table_html(p: Progress) -> str:
    horizon = p.horizon.isoformat() if p.horizon else "-"
    why = "시험일" if p.exam is not None and p.horizon == p.exam.date else "7일 뒤"
    rows = "".join(f"<tr data-section='{esc(s.section)}'><td>{esc(s.section)}</td>"
                   f"<td class='num mastery'>{_pct(s.mastery)}</td><td class='num accuracy'>{_pct(s.accuracy)}</td>"
                   f"<td class='num'>{s.attempts}</td><td class='num'>{s.due}</td></tr>" for s in p.sections)
    return (f"<div class='study-count'>숙달도 기준일: <b>{esc(horizon)}</b> ({why})</div>"
            "<table class='study-notes' id='progress-sections-table'><thead><tr><th>단원</th><th>숙달도</th>"
            f"<th>정답률</th><th>답</th><th>복습 예정</th></tr></thead><tbody>{rows}</tbody></table>")


# -- 학습 계획 ---------------------------------------------------------------------------------
def plan_frame(plan: StudyPlan):
    """Long-format rows for a stacked bar chart (new / review per day) ending in the exam day,
    drawn as one bar of the budget's height in its own colour; and the x order."""
    import pandas as pd

    xs, kinds, counts = [], [], []
    for day in plan.days:
        label = day.date.strftime("%m-%d")
        for kind, n in ((REVIEW, day.review), (NEW, day.new)):
            xs.append(label)
            kinds.append(kind)
            counts.append(n)
    exam = f"{plan.exam.strftime('%m-%d')} 시험"
    xs.append(exam)
    kinds.append(EXAM_DAY)
    counts.append(plan.per_day)
    order = list(dict.fromkeys(xs))
    return pd.DataFrame({"날짜": xs, "문제 수": counts, "종류": kinds}), order


def feasibility_markdown(plan: StudyPlan, budget: Budget | None = None) -> str:
    d_day = (plan.exam - plan.at.date()).days
    head = f"시험일 **{plan.exam.isoformat()}** (D-{d_day}) · 하루 **{plan.per_day}**문제 · 목표 기억률 **{_pct(plan.target)}**"
    if budget is not None and budget.minutes is not None:
        pace = "내 평균 풀이 시간" if budget.measured else "아직 풀이 시간 기록이 없어 기본값"
        head += f" (하루 {budget.minutes:g}분 ÷ 문제당 {budget.seconds_per_item:.0f}초, {pace})"
    if plan.feasible:
        line = f"✅ 하루 {plan.per_day}문제로 계획대로 할 수 있습니다: 모든 문제를 시험 7일 전까지 익히고 마지막 복습까지 마칩니다."
    elif plan.needed_per_day:
        line = f"⚠️ 하루 {plan.per_day}문제로는 부족합니다 — 하루 **{plan.needed_per_day}**문제면 계획대로 됩니다."
    else:
        line = "⚠️ 시험까지 남은 날로는 모든 문제를 익힐 수 없습니다."
    return f"{head}  \n{line}"


def today_markdown(plan: StudyPlan) -> str:
    day = plan.today
    if day is None:
        return "오늘은 계획된 학습이 없습니다."
    repeats = f" · 오늘 다시 볼 문제 {len(day.repeat_ids)}개" if day.repeat_ids else ""
    if day.total == 0 and not day.repeat_ids:
        return "### ✅ 오늘 할 일을 마쳤습니다\n내일 계획은 아래 차트에 있습니다."
    return f"### 오늘 할 일: {day.total}문제\n복습 **{day.review}**개 · 새 문제 **{day.new}**개{repeats}"


def forecast_html(plan: StudyPlan) -> str:
    rows = "".join(f"<tr><td>{esc(s.section)}</td><td class='num'>{_pct(s.now)}</td><td class='num'>{_pct(s.exam)}"
                   f"</td></tr>" for s in plan.sections)
    return (f"<div class='study-count'>시험일 예상 기억률: 지금 그대로 <b>{_pct(plan.overall_now)}</b> → 계획대로 하면 "
            f"<b>{_pct(plan.overall)}</b></div><table class='study-notes' id='plan-forecast-table'><thead><tr>"
            f"<th>단원</th><th>지금 그대로</th><th>계획대로</th></tr></thead><tbody>{rows}</tbody></table>")


# -- personal FSRS parameters ---------------------------------------------------------------
def optimize_markdown(result: OptimizeResult) -> str:
    """The report the CLI's `optimize` prints, as Markdown."""
    loss = (lambda x: "-" if x is None else f"{x:.4f}")  # noqa: E731
    verdict = "✅" if result.fitted else "ℹ️"
    return (f"{verdict} {esc_md(result.message)}  \n답 **{result.reviews}**개 · 학습에 쓰인 복습 {result.counted}개 · "
            f"검증한 예측 {result.held_out}개 · log loss (최근 20%): 기본값 **{loss(result.logloss_default)}** · "
            f"맞춘 값 **{loss(result.logloss_fitted)}** · {result.seconds:.1f}초")


def job_markdown(job: OptimizeJob | None) -> str:
    if job is None:
        return "**개인 매개변수 맞추기**를 누르면 내 복습 기록으로 FSRS 매개변수를 맞춥니다 (수 초, 백그라운드)."
    if job.running:
        return f"⏳ 내 복습 기록으로 FSRS 매개변수를 맞추는 중… ({time.time() - job.started:.0f}초째)"
    if job.error:
        return f"⚠️ {esc_md(job.error)}"
    assert job.result is not None
    return optimize_markdown(job.result)


def settings_markdown(s: LearnerSettings) -> str:
    params = "내 기록에 맞춘 매개변수" if s.parameters is not None else "FSRS 기본 매개변수"
    return (f"목표 유지율 **{_pct(s.desired_retention)}** (복습할 때 기억하고 있을 확률; 높을수록 복습이 잦아집니다) · "
            f"{params}")
