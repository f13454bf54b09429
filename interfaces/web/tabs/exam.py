"""모의고사: a timed exam across the sections for the logged-in learner — one item at a time
with 이전/다음, a countdown running in the page that sends the exam as it stands at zero, no
feedback until the end, then the score, the table per section, the time used and the missed
items with the right answer and source (every answer recorded, FSRS updated)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from studyapp import CHOICE_KINDS, DEFAULT_EXAM_ITEMS, MAX_EXAM_ITEMS, RecordError, StudyApp

from ..exam_view import CLOCK_CSS, CLOCK_JS, REPORT_CSS, ExamRun, clock_html, question_view, report_html
from ..question_panel import requester, user_of


@dataclass
class ExamTab:
    run: Any
    count: Any
    minutes: Any
    start: Any
    clock: Any
    header: Any
    question: Any
    choice: Any
    answer: Any
    prev: Any
    next: Any
    submit: Any
    report: Any

    @property
    def outputs(self) -> list:
        return [self.run, self.clock, self.header, self.question, self.choice, self.answer, self.prev, self.next,
                self.submit, self.report]

    def show(self, run: ExamRun, with_clock: bool = False) -> dict:
        import gradio as gr

        v = question_view(run)
        sheet = run.sheet
        return {self.run: run,
                self.clock: clock_html(run, datetime.now().astimezone()) if with_clock else gr.skip(),
                self.header: v.header, self.question: v.question,
                self.choice: gr.update(choices=v.choices, value=v.value if v.choice_visible and v.value else None,
                                       visible=v.choice_visible),
                self.answer: gr.update(value=v.value if v.text_visible else "", visible=v.text_visible),
                self.prev: gr.update(interactive=run.running and run.pos > 0),
                self.next: gr.update(interactive=run.running and sheet is not None and run.pos < len(sheet.items) - 1),
                self.submit: gr.update(interactive=run.running),
                self.report: report_html(run.result, sheet.minutes) if run.result is not None and sheet else ""}


def build(sa: StudyApp, limit: int) -> None:
    import gradio as gr

    with gr.Tab("모의고사", id="exam"):
        run_state = gr.State(ExamRun())
        with gr.Row():
            count = gr.Slider(1, MAX_EXAM_ITEMS, value=DEFAULT_EXAM_ITEMS, step=1, label="문항 수", elem_id="exam-n")
            minutes = gr.Number(value=0, minimum=0, label="제한 시간(분) — 0이면 문항당 1.5분", elem_id="exam-minutes")
            start = gr.Button("모의고사 시작", variant="primary", scale=0, min_width=140, elem_id="exam-start")
        clock = gr.HTML(clock_html(ExamRun(), datetime.now()), js_on_load=CLOCK_JS, css_template=CLOCK_CSS,
                        elem_id="exam-clock")
        header = gr.Markdown(question_view(ExamRun()).header, elem_id="exam-header")
        question = gr.Markdown(elem_id="exam-question")
        choice = gr.Radio(choices=[], label="보기", visible=False, elem_id="exam-choice")
        answer = gr.Textbox(label="답을 입력하세요", visible=False, elem_id="exam-answer")
        with gr.Row():
            prev = gr.Button("이전 문제", interactive=False, elem_id="exam-prev")
            nxt = gr.Button("다음 문제", interactive=False, elem_id="exam-next")
            submit = gr.Button("제출하고 채점", variant="stop", interactive=False, elem_id="exam-submit")
        report = gr.HTML(elem_id="exam-report", js_on_load=None, css_template=REPORT_CSS)
    wire(sa, limit, ExamTab(run_state, count, minutes, start, clock, header, question, choice, answer, prev, nxt,
                            submit, report))


def current(run: ExamRun, choice_: str | None, text_: str | None) -> ExamRun:
    """The run with the current item's answer as the page shows it now."""
    if not run.running:
        return run
    item = run.sheet.items[run.pos]
    return run.answered(choice_ if item.options and item.kind in CHOICE_KINDS else text_)


def wire(sa: StudyApp, limit: int, t: ExamTab) -> None:
    """The tab's events: start, move, submit (the button, or the countdown at zero)."""
    @requester
    def begin(run, n_, minutes_, request):
        if run.running:  # one exam at a time: the running one goes on
            return t.show(run)
        try:
            sheet = sa.start_exam(user_of(sa, request), int(n_), minutes=float(minutes_ or 0) or None)
        except RecordError as exc:
            return t.show(ExamRun(message=str(exc)), with_clock=True)
        return t.show(ExamRun.start(sheet), with_clock=True)

    def mover(step: int):
        def move(run, choice_, text_):
            return t.show(current(run, choice_, text_).moved(step))
        return move

    def finisher(timed_out: bool):
        @requester
        def finish(run, choice_, text_, request):
            run = current(run, choice_, text_)
            if not run.running:
                return t.show(run)
            try:
                result = sa.submit_exam(user_of(sa, request), run.sheet.exam_id, run.by_id(), timed_out=timed_out)
            except RecordError as exc:
                return t.show(ExamRun(run.sheet, run.answers, run.pos, None, str(exc)))
            return t.show(ExamRun(run.sheet, run.answers, run.pos, result), with_clock=True)
        return finish

    quiet = dict(outputs=t.outputs, concurrency_id="record", concurrency_limit=limit, api_visibility="undocumented")
    inputs = [t.run, t.choice, t.answer]
    t.start.click(begin, [t.run, t.count, t.minutes], api_name="exam_start", **quiet)
    t.prev.click(mover(-1), inputs, api_name="exam_prev", **quiet)
    t.next.click(mover(1), inputs, api_name="exam_next", **quiet)
    t.answer.submit(mover(1), inputs, api_name="exam_next_enter", **quiet)
    t.submit.click(finisher(False), inputs, api_name="exam_finish", **quiet)
    t.clock.submit(finisher(True), inputs, api_name="exam_timeout", **quiet)
