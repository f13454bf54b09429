"""노트 학습 도우미 — Gradio web app (`python app.py` → http://127.0.0.1:7860).

Only wiring lives here: components, events and the named API endpoints (/ask, /search,
/quiz). The logic and every piece of rendering (with its HTML escaping) is in
`tutor/webapp.py` and `tutor/notes.py`.

Environment: STUDY_CORPUS_DIR, STUDY_INDEX_DIR, STUDY_EMBEDDINGS, STUDY_LLM, STUDY_AUTH
(user:password), GRADIO_SERVER_NAME (default 127.0.0.1), GRADIO_SERVER_PORT (default 7860),
STUDY_CONCURRENCY (parallel requests per event group, default 4).
"""
from __future__ import annotations

import os
import sys
import threading
import time

T0 = time.perf_counter()
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from retriever import QueryError  # noqa: E402
from tutor.settings import Settings  # noqa: E402
from tutor.types import QUIZ_KINDS  # noqa: E402
from tutor.webapp import (ALL_FILES, KIND_LABELS, SEARCH_MODE_LABELS, QuizSession,  # noqa: E402
                          StudyApp, esc_md, quiz_view)

# gradio is imported inside the functions below so that main() can open the index in a
# thread while the (slow) gradio import runs. Only the file reading overlaps: the Kiwi model
# load and the import both hold the GIL (see bench/startup.py and bench/RESULTS.md).

CSS = """
.study-hit {border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 12px; margin: 8px 0;}
.study-hit-head {font-weight: 600;}
.study-rank {color: var(--color-accent);}
.study-lines, .study-score {color: var(--body-text-color-subdued); font-weight: 400; margin-left: 6px;}
.study-heading {color: var(--body-text-color-subdued); font-size: 0.9em; margin: 2px 0 4px;}
.study-excerpt {white-space: pre-wrap; line-height: 1.5;}
.study-excerpt mark {background: #ffe066; color: inherit; padding: 0 1px; border-radius: 2px;}
.study-notes {border-collapse: collapse; width: 100%;}
.study-notes th, .study-notes td {border-bottom: 1px solid var(--border-color-primary); padding: 4px 8px; text-align: left;}
.study-notes td.num {text-align: right; font-variant-numeric: tabular-nums;}
#mode-badge code {font-size: 0.95em;}
"""


def _api_error(exc: Exception):
    import gradio as gr

    return gr.Error(str(exc) if isinstance(exc, QueryError) else f"{type(exc).__name__}: {exc}")


def build_demo(sa: StudyApp):
    import gradio as gr

    limit = max(1, int(os.environ.get("STUDY_CONCURRENCY", "4")))
    with gr.Blocks(title="노트 학습 도우미") as demo:
        gr.Markdown("# 📒 노트 학습 도우미\n내 노트에서 찾아 답하고, 문제를 내고, 검색합니다.")
        with gr.Tabs():
            # -- 질문하기 -------------------------------------------------------------
            with gr.Tab("질문하기", id="ask"):
                gr.Markdown(f"답변 모드: `{esc_md(sa.mode_label)}`", elem_id="mode-badge")
                chatbot = gr.Chatbot(label="대화", height=460, elem_id="chat", latex_delimiters=[],
                                     sanitize_html=True, feedback_options=None,
                                     placeholder="노트에 대해 무엇이든 물어보세요. 답마다 출처 [n]이 붙습니다.")
                history = gr.State([])
                with gr.Row():
                    question = gr.Textbox(show_label=False, placeholder="질문을 입력하고 Enter…",
                                          scale=6, elem_id="chat-input")
                    send = gr.Button("보내기", variant="primary", scale=1, elem_id="chat-send")
                examples = sa.example_questions(4)
                if examples:
                    gr.Examples(examples=[[q] for q in examples], inputs=[question],
                                label="예시 질문 (노트에서 뽑음)")
                clear = gr.Button("대화 지우기", size="sm")

            # -- 퀴즈 ----------------------------------------------------------------
            with gr.Tab("퀴즈", id="quiz"):
                with gr.Row():
                    topic = gr.Textbox(label="주제 (자유 입력)", placeholder="예: 파티션, Kinesis …",
                                       elem_id="quiz-topic")
                    section = gr.Dropdown(choices=[""] + sa.section_titles(), value="",
                                          label="또는 단원 선택", elem_id="quiz-section")
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

            # -- 검색 ----------------------------------------------------------------
            with gr.Tab("검색", id="search"):
                with gr.Row():
                    s_query = gr.Textbox(label="검색어", placeholder="예: 파티션을 나누는 이유",
                                         scale=4, elem_id="search-query")
                    s_btn = gr.Button("검색", variant="primary", scale=1, elem_id="search-btn")
                with gr.Row():
                    s_mode = gr.Radio(choices=[(SEARCH_MODE_LABELS[m], m) for m in ("keyword", "hybrid", "semantic")],
                                      value="keyword", label="검색 방식")
                    s_k = gr.Slider(1, 20, value=5, step=1, label="결과 수")
                    s_source = gr.Dropdown(choices=[ALL_FILES] + sa.sources(), value=ALL_FILES,
                                           label="파일 필터", elem_id="search-source")
                s_results = gr.HTML(elem_id="search-results", js_on_load=None)

            # -- 노트 관리 -------------------------------------------------------------
            with gr.Tab("노트 관리", id="notes"):
                n_status = gr.Markdown(sa.status_markdown(), elem_id="index-status")
                n_table = gr.HTML(sa.notes_html(), elem_id="notes-table", js_on_load=None)
                with gr.Row():
                    n_files = gr.File(label="노트 올리기 (.md, .txt · 최대 2 MB)", file_count="multiple",
                                      file_types=[".md", ".txt", ".markdown"], elem_id="notes-upload")
                    with gr.Column():
                        n_overwrite = gr.Checkbox(label="같은 이름이 있으면 덮어쓰기 (아니면 새 이름으로 저장)")
                        n_upload = gr.Button("올리기", elem_id="notes-upload-btn")
                        n_rebuild = gr.Checkbox(label="처음부터 다시 만들기 (모든 청크 재임베딩)")
                        n_reindex = gr.Button("재색인", variant="primary", elem_id="notes-reindex")
                n_msg = gr.Markdown(elem_id="notes-message")

        # -- events: chat --------------------------------------------------------------
        chat_args = dict(fn=sa.chat, inputs=[question, chatbot, history], outputs=[chatbot, history, question],
                         concurrency_id="tutor", concurrency_limit=limit, api_visibility="undocumented")
        send.click(**chat_args)
        question.submit(**chat_args)
        clear.click(lambda: ([], [], ""), outputs=[chatbot, history, question], api_visibility="private")

        # -- events: quiz --------------------------------------------------------------
        quiz_outputs = [session, q_header, q_text, q_choice, q_answer, q_submit, q_next, q_feedback, q_review]

        def show(s: QuizSession):
            v = quiz_view(s)
            return (s, v.header, v.question,
                    gr.update(choices=v.choices, value=None, visible=v.choice_visible,
                              interactive=v.can_submit),
                    gr.update(visible=v.text_visible, label=v.text_label, interactive=v.can_submit,
                              **({"value": ""} if v.can_submit else {})),
                    gr.update(interactive=v.can_submit),
                    gr.update(interactive=v.can_next, value=v.next_label),
                    v.feedback, gr.update(value=v.review, visible=v.review_visible))

        def start(topic_, section_, n_, kinds_):
            return show(sa.new_session(topic_, section_, n_, kinds_))

        def answer(s, choice_, text_):
            item = s.current
            response = choice_ if item is not None and item.kind in ("mcq", "ox") and item.options else text_
            v = show(sa.submit(s, response))
            return v[:3] + (gr.update(interactive=False),) + v[4:]  # keep the chosen option shown

        make.click(start, [topic, section, count, kinds], quiz_outputs,
                   concurrency_id="tutor", concurrency_limit=limit, api_visibility="undocumented")
        q_submit.click(answer, [session, q_choice, q_answer], quiz_outputs, api_visibility="undocumented")
        q_answer.submit(answer, [session, q_choice, q_answer], quiz_outputs, api_visibility="undocumented")
        q_next.click(lambda s: show(sa.advance(s)), [session], quiz_outputs, api_visibility="undocumented")
        def export(s, fmt):
            path = sa.export(s, fmt)
            if path is None:
                gr.Warning("먼저 퀴즈를 만드세요.")
            return gr.update(value=path, visible=path is not None)

        csv_btn.click(lambda s: export(s, "csv"), [session], [export_file], api_visibility="undocumented")
        anki_btn.click(lambda s: export(s, "anki"), [session], [export_file], api_visibility="undocumented")

        # -- events: search ------------------------------------------------------------
        search_args = dict(fn=sa.search_html, inputs=[s_query, s_mode, s_k, s_source], outputs=[s_results],
                           concurrency_id="search", concurrency_limit=limit, api_visibility="undocumented")
        s_btn.click(**search_args)
        s_query.submit(**search_args)

        # -- events: notes -------------------------------------------------------------
        def refreshed():
            return (sa.status_markdown(), sa.notes_html(),
                    gr.update(choices=[ALL_FILES] + sa.sources()),
                    gr.update(choices=[""] + sa.section_titles()))

        refresh_outputs = [n_status, n_table, s_source, section]

        def upload(files, overwrite):
            return (sa.upload(files, overwrite), None, *refreshed())

        def reindex(rebuild, progress=gr.Progress(track_tqdm=True)):
            progress(0, desc="재색인 시작…")
            msg = sa.reindex(rebuild, report=lambda m: progress(0.1, desc=m))
            return (msg, *refreshed())

        n_upload.click(upload, [n_files, n_overwrite], [n_msg, n_files, *refresh_outputs],
                       concurrency_id="notes", concurrency_limit=1, api_visibility="undocumented")
        n_reindex.click(reindex, [n_rebuild], [n_msg, *refresh_outputs],
                        concurrency_id="notes", concurrency_limit=1, api_visibility="undocumented")
        demo.load(refreshed, outputs=refresh_outputs, api_visibility="private")

        # -- API for programs (gradio_client) -------------------------------------------
        def ask(question: str) -> str:
            """질문 → 노트에 근거한 답변 마크다운 ([n] 인용과 출처 목록 포함)."""
            try:
                return sa.ask_markdown(question)
            except Exception as exc:
                raise _api_error(exc) from None

        def search(query: str, mode: str = "keyword", k: int = 5, source: str = "") -> dict:
            """검색어 → {query, mode, hits: [{rank, source, heading, lines, score, text, highlighted}]}."""
            try:
                return sa.search_api(query, mode, k, source)
            except Exception as exc:
                raise _api_error(exc) from None

        def quiz(topic: str = "", n: int = 5, kinds: str = "", seed: int = 0) -> dict:
            """주제 → {items: [{id, kind, question, options, answer, explanation, source}], mode}.
            kinds: 쉼표로 구분 (mcq,ox,short,cloze,flashcard), 비우면 전부."""
            try:
                return sa.quiz_api(topic, n, kinds, seed)
            except Exception as exc:
                raise _api_error(exc) from None

        gr.api(ask, api_name="ask", concurrency_id="tutor", concurrency_limit=limit)
        gr.api(search, api_name="search", concurrency_id="search", concurrency_limit=limit)
        gr.api(quiz, api_name="quiz", concurrency_id="tutor", concurrency_limit=limit)
    return demo


def _auth(settings: Settings):
    if not settings.auth:
        return None
    user, sep, password = settings.auth.partition(":")
    if not sep or not user or not password:
        raise SystemExit("STUDY_AUTH 형식이 잘못되었습니다: user:password")
    return (user, password)


def main() -> None:
    settings = Settings.from_env()
    auth = _auth(settings)
    sa = StudyApp(settings)
    print(f"노트: {settings.corpus_dir} · 색인: {settings.index_dir}", file=sys.stderr, flush=True)
    failure: list[BaseException] = []

    def open_library() -> None:
        try:
            sa.open()
        except BaseException as exc:  # reported below, in the main thread
            failure.append(exc)

    opener = threading.Thread(target=open_library, name="open-index")
    opener.start()
    import gradio  # noqa: F401  (slow; overlaps with loading the index)

    opener.join()
    if failure:
        raise SystemExit(f"색인을 열 수 없습니다: {type(failure[0]).__name__}: {failure[0]}")
    demo = build_demo(sa)
    demo.queue(max_size=256, default_concurrency_limit=max(1, int(os.environ.get("STUDY_CONCURRENCY", "4"))))
    host = os.environ.get("GRADIO_SERVER_NAME") or "127.0.0.1"
    port = int(os.environ.get("GRADIO_SERVER_PORT") or 7860)
    print(f"준비 완료 ({time.perf_counter() - T0:.1f}s): http://{host}:{port}", file=sys.stderr, flush=True)
    demo.launch(server_name=host, server_port=port, auth=auth, auth_message="노트 학습 도우미 로그인",
                max_file_size="5mb", css=CSS, footer_links=["api"], show_error=True,
                prevent_thread_lock=True)
    # Load the embedding model in the background: keyword search answers at once; the
    # first semantic/hybrid query then does not pay for the model load.
    sa.warm_embedder()
    try:
        demo.block_thread()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
