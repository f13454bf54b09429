"""퀴즈: one item at a time, instant grading, running score, review, CSV/Anki export."""
from __future__ import annotations

from studyapp.quiz_session import QuizSession
from studyapp.service import StudyApp
from tutor.labels import CHOICE_KINDS, KIND_LABELS
from tutor.types import QUIZ_KINDS

from ..quiz_view import quiz_view


def _show(s: QuizSession) -> tuple:
    """The session and every quiz component's update for it."""
    import gradio as gr

    v = quiz_view(s)
    return (s, v.header, v.question,
            gr.update(choices=v.choices, value=None, visible=v.choice_visible, interactive=v.can_submit),
            gr.update(visible=v.text_visible, label=v.text_label, interactive=v.can_submit,
                      **({"value": ""} if v.can_submit else {})),
            gr.update(interactive=v.can_submit),
            gr.update(interactive=v.can_next, value=v.next_label),
            v.feedback, gr.update(value=v.review, visible=v.review_visible))


def build(sa: StudyApp, limit: int):
    """The tab; returns its section picker (the notes tab refreshes its choices)."""
    import gradio as gr

    with gr.Tab("퀴즈", id="quiz"):
        with gr.Row():
            topic = gr.Textbox(label="주제 (자유 입력)", placeholder="예: 파티션, Kinesis …", elem_id="quiz-topic")
            section = gr.Dropdown(choices=[""] + sa.section_titles(), value="", label="또는 단원 선택",
                                  elem_id="quiz-section")
        with gr.Row():
            count = gr.Slider(1, 20, value=5, step=1, label="문항 수", elem_id="quiz-count")
            kinds = gr.CheckboxGroup(choices=[(KIND_LABELS[k], k) for k in QUIZ_KINDS],
                                     value=list(QUIZ_KINDS), label="문항 유형")
        make = gr.Button("퀴즈 만들기", variant="primary", elem_id="quiz-make")
        session = gr.State(QuizSession())
        q_header = gr.Markdown(quiz_view(QuizSession()).header, elem_id="quiz-header")
        q_text = gr.Markdown(elem_id="quiz-question")
        q_choice = gr.Radio(choices=[], label="보기", visible=False, elem_id="quiz-choice")
        q_answer = gr.Textbox(label="답을 입력하세요", visible=False, elem_id="quiz-answer")
        with gr.Row():
            q_submit = gr.Button("채점", variant="primary", interactive=False, elem_id="quiz-submit")
            q_next = gr.Button("다음 문제", interactive=False, elem_id="quiz-next")
        q_feedback = gr.Markdown(elem_id="quiz-feedback")
        q_review = gr.Markdown(visible=False, elem_id="quiz-review")
        with gr.Row():
            csv_btn = gr.Button("CSV로 내보내기", size="sm")
            anki_btn = gr.Button("Anki 덱(.apkg)으로 내보내기", size="sm")
        export_file = gr.File(label="내보낸 파일", interactive=False, visible=False, elem_id="quiz-export")

    outputs = [session, q_header, q_text, q_choice, q_answer, q_submit, q_next, q_feedback, q_review]

    def start(topic_, section_, n_, kinds_):
        return _show(sa.new_session(topic_, section_, n_, kinds_))

    def answer(s, choice_, text_):
        item = s.current
        response = choice_ if item is not None and item.kind in CHOICE_KINDS and item.options else text_
        v = _show(sa.submit(s, response))
        return v[:3] + (gr.update(interactive=False),) + v[4:]  # keep the chosen option shown

    def export(s, fmt):
        path = sa.export(s, fmt)
        if path is None:
            gr.Warning("먼저 퀴즈를 만드세요.")
        return gr.update(value=path, visible=path is not None)

    make.click(start, [topic, section, count, kinds], outputs,
               concurrency_id="tutor", concurrency_limit=limit, api_visibility="undocumented")
    q_submit.click(answer, [session, q_choice, q_answer], outputs, api_visibility="undocumented")
    q_answer.submit(answer, [session, q_choice, q_answer], outputs, api_visibility="undocumented")
    q_next.click(lambda s: _show(s.advance()), [session], outputs, api_visibility="undocumented")
    csv_btn.click(lambda s: export(s, "csv"), [session], [export_file], api_visibility="undocumented")
    anki_btn.click(lambda s: export(s, "anki"), [session], [export_file], api_visibility="undocumented")
    return section
