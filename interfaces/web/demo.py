"""The page: the tabs in order, who is logged in, the page-load refresh, and the API endpoints."""
from __future__ import annotations

from studyapp import StudyApp

from . import api
from .question_panel import requester, user_of
from .render import esc_md
from .status import index_state_markdown, keep_current, paced, poll_seconds
from .tabs import ask, exam, guide, notes, plan, progress, quiz, review, search, teacher, wrong

# One Korean face for every glyph, Latin included: each of these Korean fonts carries its own
# Latin letters, so "**A**mazon" is one face in bold and regular (a Latin-only first font made
# the browser mix faces per glyph). Emoji (✅ ❌ 📚, which carry meaning) from a colour emoji font.
FONT_STACK = ('"NanumGothic", "Nanum Gothic", "나눔고딕", "Malgun Gothic", "맑은 고딕", "Apple SD Gothic Neo", '
              '"Noto Sans KR", "Noto Sans CJK KR", "Noto Color Emoji", "Apple Color Emoji", "Segoe UI Emoji", sans-serif')
MONO_STACK = '"NanumGothicCoding", "D2Coding", "Consolas", "Noto Sans Mono CJK KR", monospace'

CSS = f"""
:root, .dark {{--font: {FONT_STACK}; --font-mono: {MONO_STACK};}}
body, .gradio-container, button, input, textarea, select {{font-family: var(--font) !important;}}
code, pre, .study-code {{font-family: var(--font-mono) !important;}}
button {{white-space: nowrap;}}
""" + """
.study-hit {border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 12px; margin: 8px 0;}
.study-hit-head {font-weight: 600;}
.study-rank {color: var(--color-accent);}
.study-lines, .study-score {color: var(--body-text-color-subdued); font-weight: 400; margin-left: 6px;}
.study-heading {color: var(--body-text-color-subdued); font-size: 0.9em; margin: 2px 0 4px;}
.study-ocr {color: var(--body-text-color-subdued); font-size: 0.85em; font-style: italic; margin: 0 0 4px;}
.study-excerpt {white-space: pre-wrap; line-height: 1.5;}
.study-excerpt mark {background: #ffe066; color: inherit; padding: 0 1px; border-radius: 2px;}
.study-notes {border-collapse: collapse; width: 100%;}
.study-notes th, .study-notes td {border-bottom: 1px solid var(--border-color-primary); padding: 4px 8px; text-align: left;}
.study-notes td.num {text-align: right; font-variant-numeric: tabular-nums;}
#mode-badge code {font-size: 0.95em;}
.study-question {font-weight: 600; margin: 4px 0; white-space: pre-wrap;}
.study-mine {color: #c92a2a;}
.study-wrong blockquote {margin: 6px 0 0; padding: 4px 10px; border-left: 3px solid var(--border-color-primary);
  color: var(--body-text-color-subdued); white-space: pre-wrap;}
"""


def build_demo(sa: StudyApp):
    import gradio as gr

    limit = sa.settings.concurrency
    with gr.Blocks(title="노트 학습 도우미") as demo:
        gr.Markdown("# 📒 노트 학습 도우미\n내 노트에서 찾아 답하고, 문제를 내고, 복습하고, 검색합니다.")
        who = gr.Markdown(elem_id="user-badge")
        state = gr.Markdown(index_state_markdown(sa), elem_id="index-state")
        # (the line this page shows — unknown until the first tick —, the timer's pace)
        shown = gr.State((None, poll_seconds(sa)))
        pulse = gr.Timer(poll_seconds(sa))

        def follow(last):
            text = index_state_markdown(sa)
            pace, timer = paced(gr, sa, last[1])
            if text == last[0] and pace == last[1]:
                return gr.skip(), gr.skip(), timer  # nothing redrawn
            return text, (text, pace), timer

        pulse.tick(follow, [shown], [state, shown, pulse], api_visibility="private", show_progress="hidden")
        with gr.Tabs(elem_id="tabs") as tabs:
            ask.build(sa, limit)
            section_picker = quiz.build(sa, limit)
            start_review = review.build(sa, limit)
            wrong.build(sa, limit)
            progress.build(sa, limit)
            guide.build(sa, limit)
            plan.build(sa, limit, tabs, start_review)
            exam.build(sa, limit)
            source_filter = search.build(sa, limit)
            refreshed, targets = notes.build(sa, source_filter, section_picker)
            teacher_visible, teacher_tab = teacher.build(sa, limit)
        demo.load(refreshed, outputs=targets, api_visibility="private")
        demo.load(requester(lambda request: (badge(sa, request), teacher_visible(request))),
                  outputs=[who, teacher_tab], api_visibility="private")
        api.register(sa, limit)
    return demo


def keep_status_current(demo, sa: StudyApp):
    """Every page load paints the index state as it is now (see `status.keep_current`)."""
    return keep_current(demo, "index-state", lambda: index_state_markdown(sa))


def badge(sa: StudyApp, request) -> str:
    """Whose record this page shows, their role, and a logout link when the app has logins."""
    user = user_of(sa, request)
    logout = " · [로그아웃](/logout)" if getattr(request, "username", None) else ""
    who = "🧑‍🏫 교사" if sa.is_teacher(user) else "👤 학습자"
    return f"{who}: **{esc_md(user)}**{logout}"
