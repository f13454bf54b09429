"""One question at a time with grading, feedback, the learner's rating and the next item: the
panel shared by the 퀴즈 tab, the 복습 tab and a retry in the 오답 노트 tab.

Every handler acts for the request's logged-in user (`requester`), never for a user kept in
the page; the session (items, grades, attempt ids) lives in a per-browser `gr.State`. Handlers
return `{component: update}` dicts, so each says which components it changes by name.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from studyapp import CHOICE_KINDS, RATING_LABELS, QuizSession, StudyApp

from .quiz_view import quiz_view


def requester(fn: Callable) -> Callable:
    """Mark `fn`'s `request` parameter as a `gr.Request` so Gradio passes the request in (the
    string annotations of `from __future__ import annotations` cannot name gradio here)."""
    import gradio as gr

    fn.__annotations__ = {**fn.__annotations__, "request": gr.Request}
    return fn


def user_of(sa: StudyApp, request: Any) -> str:
    """The user a request acts for: its login (`gr.Request.username`), else the default user."""
    return sa.user_of(getattr(request, "username", None))


@dataclass
class QuestionPanel:
    """The panel's components; `show(s)` gives every component's update for session `s`."""

    session: Any
    header: Any
    question: Any
    choice: Any
    answer: Any
    submit: Any
    next: Any
    feedback: Any
    review: Any
    rate_buttons: dict[str, Any]  # rating key → button
    hint: str = ""  # what the header says before anything is asked (each tab its own)
    graded: list = field(default_factory=list)  # the grading events (a tab may chain on them)

    @property
    def outputs(self) -> list:
        return [self.session, self.header, self.question, self.choice, self.answer, self.submit, self.next,
                self.feedback, self.review, *self.rate_buttons.values()]

    def show(self, s: QuizSession) -> dict:
        import gradio as gr

        v = quiz_view(s, self.hint) if self.hint else quiz_view(s)
        # the chosen rating is marked in its label (a variant change left stale colours behind)
        rate = {button: gr.update(visible=v.rating is not None, value=f"● {RATING_LABELS[key]}"
                                  if v.rating == key else RATING_LABELS[key])
                for key, button in self.rate_buttons.items()}
        return {self.session: s, self.header: v.header, self.question: v.question,
                self.choice: gr.update(choices=v.choices, value=None, visible=v.choice_visible,
                                       interactive=v.can_submit),
                self.answer: gr.update(visible=v.text_visible, label=v.text_label, interactive=v.can_submit,
                                       **({"value": ""} if v.can_submit else {})),
                self.submit: gr.update(interactive=v.can_submit),
                self.next: gr.update(interactive=v.can_next, value=v.next_label),
                self.feedback: v.feedback, self.review: gr.update(value=v.review, visible=v.review_visible),
                **rate}

    def skip(self) -> dict:
        """No change to any component (a click racing with another event is never undone)."""
        import gradio as gr

        return {c: gr.skip() for c in self.outputs}


def build(sa: StudyApp, prefix: str, start_hint: str) -> QuestionPanel:
    """The panel's components (ids `<prefix>-header`, `-question`, `-choice`, `-answer`, `-submit`,
    `-next`, `-feedback`, `-rate-<rating>`, `-review`) and its own events."""
    import gradio as gr

    session = gr.State(QuizSession())
    header = gr.Markdown(start_hint, elem_id=f"{prefix}-header")
    question = gr.Markdown(elem_id=f"{prefix}-question")
    choice = gr.Radio(choices=[], label="보기", visible=False, elem_id=f"{prefix}-choice")
    answer = gr.Textbox(label="답을 입력하세요", visible=False, elem_id=f"{prefix}-answer")
    with gr.Row():
        submit = gr.Button("채점", variant="primary", interactive=False, elem_id=f"{prefix}-submit")
        nxt = gr.Button("다음 문제", interactive=False, elem_id=f"{prefix}-next")
    feedback = gr.Markdown(elem_id=f"{prefix}-feedback")
    with gr.Row():
        rate_buttons = {key: gr.Button(label, size="sm", visible=False, elem_id=f"{prefix}-rate-{key}")
                        for key, label in RATING_LABELS.items()}
    review = gr.Markdown(visible=False, elem_id=f"{prefix}-review")
    panel = QuestionPanel(session, header, question, choice, answer, submit, nxt, feedback, review, rate_buttons,
                          start_hint)

    @requester
    def grade(s, choice_, text_, request):
        item = s.current
        response = choice_ if item is not None and item.kind in CHOICE_KINDS and item.options else text_
        after = sa.submit(user_of(sa, request), s, response)
        shown = panel.show(after)
        if after.current_graded:  # keep the chosen option shown
            shown[choice] = gr.update(interactive=False)
        else:  # not graded: keep what was typed or chosen
            shown[choice], shown[answer] = gr.update(), gr.update()
        return shown

    def rater(key: str):
        @requester
        def rate(s, request):
            return panel.show(sa.rate(user_of(sa, request), s, key))
        return rate

    # UI events get their own names: /grade, /review … belong to the API (api.py)
    quiet = dict(api_visibility="undocumented")
    panel.graded = [
        submit.click(grade, [session, choice, answer], panel.outputs, api_name=f"{prefix}_submit", **quiet),
        answer.submit(grade, [session, choice, answer], panel.outputs, api_name=f"{prefix}_submit_enter", **quiet)]
    nxt.click(lambda s: panel.show(s.advance()), [session], panel.outputs, api_name=f"{prefix}_next", **quiet)
    for key, button in rate_buttons.items():
        button.click(rater(key), [session], panel.outputs, api_name=f"{prefix}_rate_{key}", **quiet)
    return panel
