"""Inside 학습 현황: the learner's desired retention (the recall FSRS aims for at each review)
and their personal FSRS parameters — fitted in the background (it takes seconds), the page
looking again every second until the report is there (the same report as `optimize`)."""
from __future__ import annotations

from studyapp import RecordError, StudyApp

from ..plan_views import job_markdown, settings_markdown
from ..question_panel import requester, user_of
from ..render import esc_md


def build(sa: StudyApp, limit: int, tab) -> None:
    """The block, in the open tab `tab` (its select event loads the learner's settings)."""
    import gradio as gr

    with gr.Accordion("복습 설정 · 개인 FSRS 매개변수", open=True, elem_id="tuning"):
        settings = gr.Markdown(elem_id="tuning-settings")
        with gr.Row():
            retention = gr.Number(value=0.9, step=0.01, minimum=0.7, maximum=0.99, label="목표 유지율 (0.7~0.99)",
                                  elem_id="tuning-retention")
            save = gr.Button("목표 유지율 저장", scale=0, min_width=180, elem_id="tuning-retention-save")
            fit = gr.Button("개인 매개변수 맞추기", variant="primary", scale=0, min_width=200, elem_id="tuning-optimize")
        report = gr.Markdown(elem_id="tuning-report")
        poll = gr.Timer(1.0, active=False)

    def status(user: str) -> tuple:
        job = sa.optimize_job(user)
        return job_markdown(job), gr.Timer(active=job is not None and job.running)

    @requester
    def load(request):
        user = user_of(sa, request)
        s = sa.study_settings(user)
        return (settings_markdown(s), s.desired_retention, *status(user))

    @requester
    def set_retention(value, request):
        user = user_of(sa, request)
        try:
            s = sa.set_study_settings(user, desired_retention=value)
        except RecordError as exc:
            return f"⚠️ {esc_md(str(exc))}", gr.update()
        return "✅ 저장했습니다 — " + settings_markdown(s), s.desired_retention

    @requester
    def start(request):
        user = user_of(sa, request)
        sa.start_optimize(user)
        return status(user)

    @requester
    def look(request):
        user = user_of(sa, request)
        job = sa.optimize_job(user)
        text, timer = status(user)
        if job is not None and not job.running and job.result is not None:
            return text, timer, settings_markdown(sa.study_settings(user))
        return text, timer, gr.skip()

    quiet = dict(concurrency_id="record", concurrency_limit=limit, api_visibility="undocumented")
    tab.select(load, [], [settings, retention, report, poll], api_name="tuning_tab", **quiet)
    save.click(set_retention, [retention], [settings, retention], api_name="tuning_retention", **quiet)
    fit.click(start, [], [report, poll], api_name="tuning_optimize", **quiet)
    poll.tick(look, [], [report, poll, settings], api_name="tuning_poll", **quiet)
