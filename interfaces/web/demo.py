"""The page: the four tabs in order, the page-load refresh, and the API endpoints."""
from __future__ import annotations

from studyapp.service import StudyApp

from . import api
from .status import index_state_markdown
from .tabs import ask, notes, quiz, search

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


def build_demo(sa: StudyApp):
    import gradio as gr

    limit = sa.settings.concurrency
    with gr.Blocks(title="노트 학습 도우미") as demo:
        gr.Markdown("# 📒 노트 학습 도우미\n내 노트에서 찾아 답하고, 문제를 내고, 검색합니다.")
        state = gr.Markdown(index_state_markdown(sa), elem_id="index-state")
        gr.Timer(2.0).tick(lambda: index_state_markdown(sa), outputs=[state], api_visibility="private")
        with gr.Tabs():
            ask.build(sa, limit)
            section_picker = quiz.build(sa, limit)
            source_filter = search.build(sa, limit)
            refreshed, targets = notes.build(sa, source_filter, section_picker)
        demo.load(refreshed, outputs=targets, api_visibility="private")
        api.register(sa, limit)
    return demo
