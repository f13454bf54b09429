"""퀴즈: one item at a time, instant grading recorded for the logged-in learner, their own
rating, a 약점 퀴즈 from their weakest sections, a review at the end, CSV/Anki export."""
from __future__ import annotations

from studyapp import KIND_LABELS, MAX_QUIZ_ITEMS, QUIZ_KINDS, StudyApp

from .. import question_panel
from ..question_panel import requester, user_of
from ..quiz_view import START_HINT


def build(sa: StudyApp, limit: int):
    """The tab; returns its section picker (the notes tab refreshes its choices)."""
    import gradio as gr

    with gr.Tab("퀴즈", id="quiz"):
        with gr.Row():
            topic = gr.Textbox(label="주제 (자유 입력)", placeholder="예: 파티션, Kinesis …", elem_id="quiz-topic")
            section = gr.Dropdown(choices=[""] + sa.section_titles(), value="", label="또는 단원 선택",
                                  elem_id="quiz-section")
        with gr.Row():
            count = gr.Slider(1, min(20, MAX_QUIZ_ITEMS), value=5, step=1, label="문항 수", elem_id="quiz-count")
            kinds = gr.CheckboxGroup(choices=[(KIND_LABELS[k], k) for k in QUIZ_KINDS],
                                     value=list(QUIZ_KINDS), label="문항 유형")
        with gr.Row():
            make = gr.Button("퀴즈 만들기", variant="primary", elem_id="quiz-make")
            weak = gr.Button("약점 퀴즈 (가장 약한 단원에서)", elem_id="quiz-weak")
        panel = question_panel.build(sa, "quiz", START_HINT)
        with gr.Row():
            csv_btn = gr.Button("CSV로 내보내기", size="sm")
            anki_btn = gr.Button("Anki 덱(.apkg)으로 내보내기", size="sm")
        export_file = gr.File(label="내보낸 파일", interactive=False, visible=False, elem_id="quiz-export")

    @requester
    def start(topic_, section_, n_, kinds_, request):
        chosen = (topic_ or "").strip() or (section_ or "").strip() or None
        return panel.show(sa.quiz_session(user_of(sa, request), chosen, n_, kinds_))

    @requester
    def start_weak(n_, kinds_, request):
        return panel.show(sa.weak_session(user_of(sa, request), int(n_), kinds_))

    def export(s, fmt):
        path = str(sa.export_quiz(s.items, fmt)) if s.items else None
        if path is None:
            gr.Warning("먼저 퀴즈를 만드세요.")
        return gr.update(value=path, visible=path is not None)

    busy = dict(concurrency_id="tutor", concurrency_limit=limit, api_visibility="undocumented")
    make.click(start, [topic, section, count, kinds], panel.outputs, api_name="quiz_start", **busy)
    weak.click(start_weak, [count, kinds], panel.outputs, api_name="quiz_weak", **busy)
    csv_btn.click(lambda s: export(s, "csv"), [panel.session], [export_file], api_visibility="undocumented")
    anki_btn.click(lambda s: export(s, "anki"), [panel.session], [export_file], api_visibility="undocumented")
    return section
