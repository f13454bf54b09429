"""단원 요약: the study guide of every section (or one), with the logged-in learner's
자주 틀린 문항 — shown in the page and offered as an A4 PDF and as Markdown."""
from __future__ import annotations

from studyapp import GuideError, StudyApp, UnknownSection

from ..question_panel import requester, user_of
from ..render import esc_md

ALL = "전체 단원"


def build(sa: StudyApp, limit: int) -> None:
    import gradio as gr

    with gr.Tab("단원 요약", id="guide") as tab:
        with gr.Row():
            section = gr.Dropdown(choices=[ALL], value=ALL, label="단원", elem_id="guide-section", scale=3)
            show_btn = gr.Button("요약 보기", variant="primary", scale=0, elem_id="guide-show")
            pdf_btn = gr.Button("PDF 받기", scale=0, elem_id="guide-pdf")
            md_btn = gr.Button("Markdown 받기", scale=0, elem_id="guide-md")
        note = gr.Markdown(elem_id="guide-note")
        body = gr.HTML(elem_id="guide-body", js_on_load=None)
        file = gr.File(label="요약 파일", interactive=False, visible=False, elem_id="guide-file")

    def chosen(value):
        return None if value in (None, "", ALL) else value

    @requester
    def show(value, request):
        titles = [ALL] + sa.section_titles()
        value = value if value in titles else ALL
        try:
            guide = sa.guide(user_of(sa, request), chosen(value))
        except UnknownSection as exc:
            return gr.update(choices=titles, value=ALL), f"⚠️ {esc_md(str(exc))}", ""
        misses = sum(len(g.missed) for g in guide.sections)
        head = f"단원 {len(guide.sections)}개" + (f" · 자주 틀린 문항 {misses}개" if misses else "")
        return gr.update(choices=titles, value=value), head, sa.guide_html(guide)

    def downloader(fmt: str):
        @requester
        def download(value, request):
            try:
                guide = sa.guide(user_of(sa, request), chosen(value))
                path = sa.write_guide(guide, fmt)
            except (UnknownSection, GuideError) as exc:
                gr.Warning(str(exc))
                return gr.update(value=None, visible=False)
            return gr.update(value=str(path), visible=True)
        return download

    quiet = dict(concurrency_id="record", concurrency_limit=limit, api_visibility="undocumented")
    for name, event in (("tab", tab.select), ("show", show_btn.click), ("section", section.input)):
        event(show, [section], [section, note, body], api_name=f"guide_{name}", **quiet)
    pdf_btn.click(downloader("pdf"), [section], [file], api_name="guide_pdf", **quiet)
    md_btn.click(downloader("md"), [section], [file], api_name="guide_md", **quiet)
