"""복습: today's queue for the logged-in learner (due first, then weak sections, then new), one
item at a time with the quiz's grading and feedback, rating buttons and how many are left."""
from __future__ import annotations

from datetime import datetime

from studyapp import StudyApp

from .. import question_panel
from ..question_panel import requester, user_of
from ..study_views import review_status

HINT = "**복습 시작**을 누르면 오늘 복습할 문제를 한 문제씩 냅니다 (다시 누르면 목록을 새로 불러옵니다)."


def build(sa: StudyApp, limit: int):
    """The tab; returns (its start handler, that handler's outputs) so another tab can start
    today's session here (the 학습 계획's button)."""
    import gradio as gr

    with gr.Tab("복습", id="review") as tab:
        with gr.Row():
            status = gr.Markdown("복습할 문제를 불러오는 중…", elem_id="review-status")
            start = gr.Button("복습 시작", variant="primary", scale=0, min_width=120, elem_id="review-start")
        panel = question_panel.build(sa, "review", HINT)

    @requester
    def load(request):
        user = user_of(sa, request)
        begun = sa.review_session(user)
        return {status: review_status(begun, datetime.now().astimezone()), **panel.show(begun.session)}

    @requester
    def reopen(s, request):
        """Back on the tab: a review in progress goes on where it was (nothing is sent back, so a
        click racing with this event is never undone); else today's queue."""
        if s.items and not s.finished:
            return {status: gr.skip(), **panel.skip()}
        return load(request)

    quiet = dict(outputs=[status, *panel.outputs], concurrency_id="record", concurrency_limit=limit,
                 api_visibility="undocumented")
    start.click(load, [], api_name="review_start", **quiet)
    tab.select(reopen, [panel.session], api_name="review_tab", **quiet)
    return load, quiet["outputs"]
