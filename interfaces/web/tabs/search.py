"""검색: keyword, hybrid or semantic search with Kiwi-highlighted excerpts."""
from __future__ import annotations

from studyapp import QueryError, StudyApp

from ..render import SEARCH_MODE_LABELS, esc, render_hits_html
from ..status import mode_notice

ALL_FILES = "(모든 파일)"
WEIGHT_SOURCES = {"corpus": "이 노트에서 측정한 범위", "default": "기본 범위", "setting": "설정 STUDY_KEYWORD_WEIGHT"}


def search_html(sa: StudyApp, query: str, mode: str = "keyword", k: int = 5, source: str | None = None) -> str:
    if not (query or "").strip():
        return '<div class="study-empty">검색어를 입력하세요.</div>'
    try:
        hits, weights = sa.search_weighed(query, mode, k, None if source in (None, "", ALL_FILES) else source)
    except QueryError as exc:
        return f'<div class="study-error">⚠️ {esc(str(exc))}</div>'
    notice = mode_notice(sa, mode)
    shown = "keyword" if notice else mode
    head = f'<div class="study-notice">⏳ {esc(notice)}</div>' if notice else ""
    tail = ""
    if weights is not None and not notice:
        tail = (f'<div class="study-notice" id="search-weights">가중치: 키워드 {weights.keyword:.2f} · 의미 '
                f'{weights.semantic:.2f} ({esc(WEIGHT_SOURCES.get(weights.source, weights.source))})</div>')
    return head + render_hits_html(query, shown, hits, sa.match_spans) + tail


def build(sa: StudyApp, limit: int):
    """The tab; returns its file filter (the notes tab refreshes its choices)."""
    import gradio as gr

    with gr.Tab("검색", id="search"):
        with gr.Row():
            s_query = gr.Textbox(label="검색어", placeholder="예: 파티션을 나누는 이유", scale=4, elem_id="search-query")
            s_btn = gr.Button("검색", variant="primary", scale=1, elem_id="search-btn")
        with gr.Row():
            s_mode = gr.Radio(choices=[(SEARCH_MODE_LABELS[m], m) for m in ("keyword", "hybrid", "semantic")],
                              value="keyword", label="검색 방식")
            s_k = gr.Slider(1, 20, value=5, step=1, label="결과 수")
            s_source = gr.Dropdown(choices=[ALL_FILES] + sa.sources(), value=ALL_FILES, label="파일 필터",
                                   elem_id="search-source")
        s_results = gr.HTML(elem_id="search-results", js_on_load=None)

    def run_search(query, mode, k, source):
        return search_html(sa, query, mode, k, source)

    args = dict(fn=run_search, inputs=[s_query, s_mode, s_k, s_source],
                outputs=[s_results], concurrency_id="search", concurrency_limit=limit,
                api_visibility="undocumented")
    s_btn.click(**args)
    s_query.submit(**args)
    return s_source


def source_choices(sa: StudyApp) -> list[str]:
    return [ALL_FILES] + sa.sources()
