"""학습 현황: the logged-in learner's mastery per section (honest: at the exam date, else a week
on; with accuracy beside it and a 도움말 saying what each means), answers per day (last 14 days),
cards due per day (next 14), streak and totals, their exam date with the predicted retention per
section on that day — drawn with Gradio's own plots (Vega-Lite in the page, no network) — and
the desired retention with personal FSRS parameters (`tuning`)."""
from __future__ import annotations

from studyapp import RecordError, StudyApp, josa

from . import tuning
from ..plan_views import MASTERY_HELP, mastery_table_html
from ..question_panel import requester, user_of
from ..render import esc_md
from ..study_views import attempts_frame, due_frame, exam_frame, exam_summary, mastery_frame, progress_summary


def build(sa: StudyApp, limit: int) -> None:
    import gradio as gr

    with gr.Tab("학습 현황", id="progress") as tab:
        with gr.Row():
            summary = gr.Markdown("학습 현황을 불러오는 중…", elem_id="progress-summary")
            refresh = gr.Button("새로고침", scale=0, elem_id="progress-refresh")
        mastery = gr.BarPlot(x="단원", y="숙달도(%)", title="단원별 숙달도 (기준일에 기억할 것으로 예상되는 문제 비율, %)",
                             y_lim=[0, 100], sort=None, tooltip="all", x_label_angle=-20, height=320,
                             elem_id="progress-mastery")
        gr.Markdown(MASTERY_HELP, elem_id="progress-help")
        sections = gr.HTML(elem_id="progress-sections", js_on_load=None)
        with gr.Row():
            per_day = gr.LinePlot(x="날짜", y="답한 수", title="최근 14일 답한 문제 수", height=260,
                                  elem_id="progress-attempts")
            due = gr.BarPlot(x="날짜", y="복습 예정", title="앞으로 14일 복습 예정 카드", sort=None, height=260,
                             elem_id="progress-due")
        with gr.Row():
            exam_date = gr.Textbox(label="시험일 (YYYY-MM-DD, 비우면 지움)", placeholder="2026-12-20",
                                   elem_id="progress-exam-date", scale=3)
            save = gr.Button("시험일 저장", scale=0, elem_id="progress-exam-save")
        exam_note = gr.Markdown(elem_id="progress-exam-note")
        exam = gr.BarPlot(x="단원", y="예상 기억률(%)", title="시험일의 단원별 예상 기억률 (%)", y_lim=[0, 100],
                          sort=None, tooltip="all", x_label_angle=-20, height=320, visible=False,
                          elem_id="progress-exam")
        tuning.build(sa, limit, tab)

    outputs = [summary, mastery, per_day, due, exam_date, exam_note, exam, sections]

    def figures(user: str, note: str = "") -> tuple:
        p = sa.progress(user)
        when = p.exam.date.isoformat() if p.exam else ""
        # no exam date: no chart (an empty frame would keep the plot blank after later updates)
        exam_plot = gr.update(value=exam_frame(p), visible=True) if p.exam else gr.update(value=None, visible=False)
        return (progress_summary(p), mastery_frame(p), attempts_frame(p), due_frame(p), when,
                (note + "  \n" if note else "") + exam_summary(p), exam_plot, mastery_table_html(p))

    @requester
    def load(request):
        return figures(user_of(sa, request))

    @requester
    def set_exam(text, request):
        user = user_of(sa, request)
        try:
            day = sa.set_exam_date(user, text)
        except RecordError as exc:
            return (*figures(user)[:4], gr.update(), f"⚠️ {esc_md(str(exc))}", gr.update(), gr.update())
        return figures(user, f"✅ 시험일을 {josa(day.isoformat(), '(으)로')} 저장했습니다." if day else "✅ 시험일을 지웠습니다.")

    quiet = dict(concurrency_id="record", concurrency_limit=limit, api_visibility="undocumented")
    for name, event in (("tab", tab.select), ("refresh", refresh.click)):
        event(load, [], outputs, api_name=f"progress_{name}", **quiet)
    save.click(set_exam, [exam_date], outputs, api_name="progress_exam_save", **quiet)
    exam_date.submit(set_exam, [exam_date], outputs, api_name="progress_exam_enter", **quiet)
