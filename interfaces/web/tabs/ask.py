"""질문하기: multi-turn chat over the notes, every answer with its sources."""
from __future__ import annotations

from studyapp import StudyApp

from ..chat import chat_stream
from ..render import esc_md


def build(sa: StudyApp, limit: int) -> None:
    import gradio as gr

    with gr.Tab("질문하기", id="ask"):
        gr.Markdown(f"답변 모드: `{esc_md(sa.mode_label)}`", elem_id="mode-badge")
        chatbot = gr.Chatbot(label="대화", show_label=False, height=460, elem_id="chat", latex_delimiters=[],
                             sanitize_html=True, feedback_options=None,
                             placeholder="노트에 대해 무엇이든 물어보세요. 답마다 출처 [n]이 붙습니다.")
        history = gr.State([])
        with gr.Row():
            question = gr.Textbox(show_label=False, placeholder="질문을 입력하고 Enter…",
                                  scale=6, elem_id="chat-input")
            send = gr.Button("보내기", variant="primary", scale=1, elem_id="chat-send")
        examples = sa.example_questions(4)
        if examples:
            gr.Examples(examples=[[q] for q in examples], inputs=[question], label="예시 질문 (노트에서 뽑음)")
        clear = gr.Button("대화 지우기", size="sm")

    def chat(message, messages, hist):
        yield from chat_stream(sa, message, messages, hist)

    chat_args = dict(fn=chat, inputs=[question, chatbot, history], outputs=[chatbot, history, question],
                     concurrency_id="ask", concurrency_limit=limit, api_visibility="undocumented")
    send.click(**chat_args)
    question.submit(**chat_args)
    clear.click(lambda: ([], [], ""), outputs=[chatbot, history, question], api_visibility="private")
