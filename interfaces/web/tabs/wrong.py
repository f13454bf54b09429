"""오답 노트: the logged-in learner's wrong items with their answer, the right one, the
explanation and the cited source; filter by section, retry one or all, export CSV / Anki."""
from __future__ import annotations

from studyapp import StudyApp

from .. import question_panel
from ..question_panel import requester, user_of
from ..study_views import ALL_SECTIONS, wrong_choices, wrong_html, wrong_sections

HINT = "틀린 문제를 골라 **이 문제 다시 풀기**, 또는 **전부 다시 풀기**를 누르세요."


def chosen(section_):
    """The section filter's choice, None for all sections."""
    return None if section_ in (None, "", ALL_SECTIONS) else section_


def build(sa: StudyApp, limit: int) -> None:
    import gradio as gr

    with gr.Tab("오답 노트", id="wrong") as tab:
        with gr.Row():
            section = gr.Dropdown(choices=[ALL_SECTIONS], value=ALL_SECTIONS, label="단원 필터",
                                  elem_id="wrong-section", scale=3)
            refresh = gr.Button("새로고침", scale=0, elem_id="wrong-refresh")
        listing = gr.HTML(elem_id="wrong-list", js_on_load=None)
        with gr.Row():
            pick = gr.Dropdown(choices=[], label="다시 풀 문제", elem_id="wrong-pick", scale=3)
            one = gr.Button("이 문제 다시 풀기", scale=0, elem_id="wrong-retry-one")
            every = gr.Button("전부 다시 풀기", variant="primary", scale=0, elem_id="wrong-retry-all")
        panel = question_panel.build(sa, "wrong", HINT)
        with gr.Row():
            csv_btn = gr.Button("오답 CSV로 내보내기", size="sm", elem_id="wrong-csv")
            anki_btn = gr.Button("오답 Anki 덱(.apkg)으로 내보내기", size="sm", elem_id="wrong-anki")
        export_file = gr.File(label="내보낸 파일", interactive=False, visible=False, elem_id="wrong-export")

    @requester
    def show(section_, request):
        notes = sa.wrong(user_of(sa, request))
        sections = wrong_sections(notes)
        section_ = section_ if section_ in sections else ALL_SECTIONS
        if chosen(section_):
            notes = sa.wrong(notes.user, chosen(section_))
        choices = wrong_choices(notes)
        return (gr.update(choices=sections, value=section_),
                wrong_html(notes, lambda e: sa.excerpt(e.item)),
                gr.update(choices=choices, value=choices[0][1] if choices else None))

    def retrier(only_one: bool):
        @requester
        def retry(section_, item_id, request):
            if only_one and not item_id:
                gr.Warning("다시 풀 문제를 고르세요.")
            ids = [item_id] if only_one else None
            return panel.show(sa.retry_session(user_of(sa, request), ids, chosen(section_)))
        return retry

    def exporter(fmt: str):
        @requester
        def export(section_, request):
            path = sa.export_wrong(user_of(sa, request), chosen(section_), fmt)
            if path is None:
                gr.Warning("내보낼 오답이 없습니다.")
            return gr.update(value=None if path is None else str(path), visible=path is not None)
        return export

    quiet = dict(concurrency_id="record", concurrency_limit=limit, api_visibility="undocumented")
    for name, event in (("tab", tab.select), ("refresh", refresh.click), ("section", section.input)):
        event(show, [section], [section, listing, pick], api_name=f"wrong_{name}", **quiet)
    for graded in panel.graded:  # a right retry takes an item out: the list and its count follow
        graded.then(show, [section], [section, listing, pick], **{**quiet, "api_visibility": "private"})
    every.click(retrier(False), [section, pick], panel.outputs, api_name="wrong_retry_all", **quiet)
    one.click(retrier(True), [section, pick], panel.outputs, api_name="wrong_retry_one", **quiet)
    csv_btn.click(exporter("csv"), [section], [export_file], api_name="wrong_export_csv", **quiet)
    anki_btn.click(exporter("anki"), [section], [export_file], api_name="wrong_export_anki", **quiet)
