"""교사: the class as a teacher reads it — learners × sections mastery (a heat map with a line
saying what the numbers mean), answers in the last 7 days and who has not studied for 7, the
item analysis with its flags, retiring or restoring an item, CSV files of both tables.

The tab is hidden unless the page's login is a teacher, and every handler asks `StudyApp` with
the request's login, which refuses a learner (`NotTeacher`): hiding is for the eye, the check
is in the verbs."""
from __future__ import annotations

from types import SimpleNamespace

from studyapp import RecordError, StudyApp

from ..class_views import HEAT_HELP, ITEM_HEADERS, ITEM_HELP, class_summary, heatmap_html, item_rows, items_summary
from ..question_panel import requester, user_of
from ..render import esc_md


def _layout():
    """The tab's components (hidden until a teacher's page load shows it)."""
    import gradio as gr

    with gr.Tab("교사", id="teacher", visible=False, elem_id="teacher-tab") as tab:
        with gr.Row():
            summary = gr.Markdown("반 현황을 불러오는 중…", elem_id="class-summary")
            refresh = gr.Button("새로고침", scale=0, elem_id="class-refresh")
        heat = gr.HTML(elem_id="class-heatmap", js_on_load=None)
        gr.Markdown(HEAT_HELP, elem_id="class-heat-help")
        items_line = gr.Markdown(elem_id="class-items-summary")
        items = gr.Dataframe(headers=ITEM_HEADERS, interactive=False, wrap=True, elem_id="class-items")
        gr.Markdown(ITEM_HELP, elem_id="class-items-help")
        with gr.Row():
            item_id = gr.Dropdown(label="문항", choices=[], allow_custom_value=True, elem_id="class-item-id", scale=3)
            retire = gr.Button("문항 빼기", variant="stop", scale=0, elem_id="class-retire")
            restore = gr.Button("되돌리기", scale=0, elem_id="class-restore")
        message = gr.Markdown(elem_id="class-message")
        with gr.Row():
            export_progress = gr.Button("현황 CSV", scale=0, elem_id="class-export-progress")
            export_items = gr.Button("문항 분석 CSV", scale=0, elem_id="class-export-items")
            download = gr.File(label="CSV 파일", interactive=False, elem_id="class-download")
    return SimpleNamespace(tab=tab, summary=summary, refresh=refresh, heat=heat, items_line=items_line, items=items,
                           item_id=item_id, retire=retire, restore=restore, message=message,
                           export_progress=export_progress, export_items=export_items, download=download)


def build(sa: StudyApp, limit: int):
    """The tab; returns (function of the page load's request → the tab's visibility update, tab)."""
    import gradio as gr

    ui = _layout()
    outputs = [ui.summary, ui.heat, ui.items_line, ui.items, ui.item_id]

    def tables(user: str) -> tuple:
        cp, ia = sa.class_progress(user), sa.item_stats(user)
        choices = [(f"{r.item_id} — {r.question.splitlines()[0][:40] if r.question else ''}", r.item_id)
                   for r in ia.items]
        return (class_summary(cp), heatmap_html(cp), items_summary(ia), item_rows(ia),
                gr.update(choices=choices))

    @requester
    def load(request):
        return tables(user_of(sa, request))

    def change(retired: bool):
        @requester
        def run(chosen, request):
            user = user_of(sa, request)
            if not (chosen or "").strip():
                return (*tables(user), "⚠️ 문항을 고르세요.")
            try:
                changed = sa.retire_item(user, chosen.strip(), retired=retired)
            except RecordError as exc:
                return (*tables(user), f"⚠️ {esc_md(str(exc))}")
            what = "뺐습니다 (아무에게도 다시 나오지 않음, 기록은 남음)" if retired else "되돌렸습니다"
            note = f"✅ `{esc_md(chosen)}`: {what}" if changed else f"`{esc_md(chosen)}`: 이미 그렇게 되어 있습니다."
            return (*tables(user), note)
        return run

    def exporter(table: str):
        @requester
        def run(request):
            return str(sa.export_class(user_of(sa, request), table))
        return run

    quiet = dict(concurrency_id="record", concurrency_limit=limit, api_visibility="undocumented")
    ui.tab.select(load, [], outputs, api_name="teacher_tab", **quiet)
    ui.refresh.click(load, [], outputs, api_name="teacher_refresh", **quiet)
    ui.retire.click(change(True), [ui.item_id], [*outputs, ui.message], api_name="teacher_retire", **quiet)
    ui.restore.click(change(False), [ui.item_id], [*outputs, ui.message], api_name="teacher_restore", **quiet)
    ui.export_progress.click(exporter("progress"), [], [ui.download], api_name="teacher_export_progress", **quiet)
    ui.export_items.click(exporter("items"), [], [ui.download], api_name="teacher_export_items", **quiet)

    def visibility(request) -> dict:
        return gr.update(visible=sa.is_teacher(user_of(sa, request)))

    return visibility, ui.tab
