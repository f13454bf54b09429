"""학습 계획: the logged-in learner's day-by-day plan to the exam — new items and reviews per day
as a stacked bar chart ending in the exam day, whether the daily budget (items, or minutes at
their own pace) is enough, today's tasks with a button that starts them in 복습, and the
predicted recall per section on the exam day."""
from __future__ import annotations

from typing import Callable

from studyapp import DEFAULT_PER_DAY, DEFAULT_TARGET, Budget, RecordError, StudyApp, StudyPlan

from ..plan_views import PLAN_COLORS, feasibility_markdown, forecast_html, plan_frame, today_markdown
from ..question_panel import requester, user_of
from ..render import esc_md

HINT = "시험일과 하루 학습량을 정하고 **계획 세우기**를 누르세요 (설정은 저장되고, 복습 탭이 오늘 계획을 따릅니다)."


def build(sa: StudyApp, limit: int, tabs, start_review: tuple[Callable, list]) -> None:
    """The tab; `tabs` is the page's tab set and `start_review` the 복습 tab's (start handler,
    its outputs), so that today's button opens 복습 with today's session."""
    import gradio as gr

    review_load, review_outputs = start_review
    with gr.Tab("학습 계획", id="plan") as tab:
        with gr.Row():
            exam = gr.Textbox(label="시험일 (YYYY-MM-DD)", placeholder="2026-12-20", elem_id="plan-exam", scale=2)
            per_day = gr.Number(value=DEFAULT_PER_DAY, precision=0, label="하루 문제 수", elem_id="plan-per-day")
            minutes = gr.Number(value=0, label="또는 하루 공부 시간(분) — 0이면 문제 수로", elem_id="plan-minutes")
            target = gr.Number(value=DEFAULT_TARGET, step=0.01, label="시험일 목표 기억률 (0.5~0.99)",
                               elem_id="plan-target")
            make = gr.Button("계획 세우기", variant="primary", scale=0, min_width=120, elem_id="plan-make")
        feasible = gr.Markdown("학습 계획을 불러오는 중…", elem_id="plan-feasible")
        chart = gr.BarPlot(x="날짜", y="문제 수", color="종류", color_map=PLAN_COLORS, title="날마다 할 문제 (새 문제 + 복습)",
                           tooltip="all", x_label_angle=-45, height=340, visible=False, elem_id="plan-chart")
        with gr.Row():
            today = gr.Markdown(elem_id="plan-today")
            go = gr.Button("오늘 학습 시작 (복습 탭)", interactive=False, scale=0, min_width=230, elem_id="plan-start")
        forecast = gr.HTML(elem_id="plan-forecast", js_on_load=None)

    outputs = [exam, per_day, minutes, target, feasible, chart, today, go, forecast]
    load, save, start_today = handlers(sa, tabs, review_load)
    quiet = dict(concurrency_id="record", concurrency_limit=limit, api_visibility="undocumented")
    tab.select(load, [], outputs, api_name="plan_tab", **quiet)
    make.click(save, [exam, per_day, minutes, target], outputs, api_name="plan_make", **quiet)
    go.click(start_today, [], [tabs, *review_outputs], api_name="plan_start_today", **quiet)


def shown(plan: StudyPlan, budget: Budget | None = None) -> tuple:
    """The tab's outputs for `plan` (and the budget in minutes it was made with)."""
    import gradio as gr

    frame, order = plan_frame(plan)
    busy = plan.today is not None and (plan.today.total > 0 or bool(plan.today.repeat_ids))
    return (plan.exam.isoformat(), plan.per_day, budget.minutes if budget else 0, plan.target,
            feasibility_markdown(plan, budget), gr.update(value=frame, sort=order, visible=True),
            today_markdown(plan), gr.update(interactive=busy), forecast_html(plan))


def unplanned(exam: str, per_day: int, target: float, note: str) -> tuple:
    """The tab's outputs without a plan: the stored settings and why there is none."""
    import gradio as gr

    return (exam, per_day, 0, target, note, gr.update(visible=False), "", gr.update(interactive=False), "")


def handlers(sa: StudyApp, tabs, review_load: Callable) -> tuple[Callable, Callable, Callable]:
    """(load the learner's plan, save the settings and plan, start today's session in 복습)."""
    import gradio as gr

    @requester
    def load(request):
        user = user_of(sa, request)
        s = sa.study_settings(user)
        if s.exam_date is None:
            return unplanned("", s.per_day, s.target, HINT)
        try:
            return shown(sa.plan(user))
        except RecordError as exc:
            return unplanned(s.exam_date.isoformat(), s.per_day, s.target, f"⚠️ {esc_md(str(exc))}")

    @requester
    def save(exam_, per_day_, minutes_, target_, request):
        user = user_of(sa, request)
        try:  # the plan checks every value before anything is stored
            budget = sa.budget(user, minutes_) if minutes_ else None
            per = budget.per_day if budget else per_day_
            plan = sa.plan(user, exam=(exam_ or "").strip() or None, per_day=per, target=target_)
            sa.set_exam_date(user, plan.exam.isoformat())
            sa.set_study_settings(user, per_day=plan.per_day, target=plan.target)
        except RecordError as exc:  # nothing changes on the page but the line saying why
            return (*(gr.update(),) * 4, f"⚠️ {esc_md(str(exc))}", *(gr.update(),) * 4)
        return shown(plan, budget)

    @requester
    def start_today(request):
        return {tabs: gr.Tabs(selected="review"), **review_load(request)}

    return load, save, start_today
