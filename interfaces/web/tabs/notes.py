"""노트 관리: the notes with their state, uploads, re-index with progress, index status — the
table and the status follow a background re-index by themselves (a timer looks at
`StudyApp.notes_version` and redraws only when it changed)."""
from __future__ import annotations

from studyapp import ALLOWED_SUFFIXES, RecordError, StudyApp

from ..question_panel import requester, user_of
from ..render import esc_md
from ..notes_view import notes_html, reindex_markdown, status_markdown, upload_markdown
from ..status import paced, poll_seconds
from .search import source_choices


UPLOAD_LABEL = ("노트 올리기 (.md · .txt 2 MB, PDF 50 MB — 스캔한 PDF도, Word .docx 20 MB, HTML 5 MB, "
                "스캔·사진 .png .jpg .tif .webp .bmp 20 MB: 글자는 OCR로 인식)")


def build(sa: StudyApp, source_filter, section_picker):
    """The tab; after an upload or re-index it refreshes the other tabs' file and section lists.
    Returns (refresh function, its outputs) for the page load to call too."""
    import gradio as gr

    with gr.Tab("노트 관리", id="notes"):
        # filled on page load and by the timer: hashing every note file is no work for start-up
        n_status = gr.Markdown("색인 상태를 불러오는 중…", elem_id="index-status")
        n_table = gr.HTML("", elem_id="notes-table", js_on_load=None)
        with gr.Row():
            n_files = gr.File(label=UPLOAD_LABEL, file_count="multiple", file_types=list(ALLOWED_SUFFIXES),
                              elem_id="notes-upload")
            with gr.Column():
                n_overwrite = gr.Checkbox(label="같은 이름이 있으면 덮어쓰기 (아니면 새 이름으로 저장)")
                n_upload = gr.Button("올리기", elem_id="notes-upload-btn")
                n_rebuild = gr.Checkbox(label="처음부터 다시 만들기 (모든 청크 재임베딩)")
                n_reindex = gr.Button("재색인", variant="primary", elem_id="notes-reindex")
        n_msg = gr.Markdown(elem_id="notes-message")
        seen = gr.State(("", poll_seconds(sa)))  # (notes version drawn, the timer's pace)
        timer = gr.Timer(poll_seconds(sa))

    targets = [n_status, n_table, source_filter, section_picker]

    def refreshed():
        return (status_markdown(sa), notes_html(sa.note_rows()), gr.update(choices=source_choices(sa)),
                gr.update(choices=[""] + sa.section_titles()))

    # with accounts, uploads and re-index are for teachers (the verbs check the login)
    @requester
    def upload(files, overwrite, request):
        try:
            done = sa.upload_as(user_of(sa, request), files, overwrite)
        except RecordError as exc:
            return (f"⚠️ {esc_md(str(exc))}", None, *refreshed())
        return (upload_markdown(done), None, *refreshed())

    @requester
    def reindex(rebuild, request, progress=gr.Progress(track_tqdm=True)):
        progress(0, desc="재색인 시작…")
        try:
            rep = sa.reindex_as(user_of(sa, request), rebuild, report=lambda m: progress(0.1, desc=m))
        except RecordError as exc:
            return (f"⚠️ {esc_md(str(exc))}", *refreshed())
        return (reindex_markdown(rep), *refreshed())

    def follow(last):
        now = sa.notes_version()
        pace, pulse = paced(gr, sa, last[1])
        if now == last[0]:
            return ((now, pace) if pace != last[1] else gr.skip(), *(gr.skip(),) * len(targets), pulse)
        return ((now, pace), *refreshed(), pulse)

    timer.tick(follow, [seen], [seen, *targets, timer], api_visibility="private", show_progress="hidden")
    n_upload.click(upload, [n_files, n_overwrite], [n_msg, n_files, *targets],
                   concurrency_id="notes", concurrency_limit=1, api_visibility="undocumented")
    n_reindex.click(reindex, [n_rebuild], [n_msg, *targets],
                    concurrency_id="notes", concurrency_limit=1, api_visibility="undocumented")
    return refreshed, targets
