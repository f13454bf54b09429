"""The 질문하기 chat: a tutor's streamed answer as Gradio chat messages with a sources panel."""
from __future__ import annotations

from typing import Iterator

from studyapp import Answer, QueryError, StudyApp, Turn, location

from .render import esc_md, render_sources_md

THINKING = "⏳ 노트를 찾는 중…"


def chat_messages(ans: Answer) -> list[dict]:
    """Chatbot messages for one finished answer: the answer, then a collapsed sources panel."""
    body = esc_md(ans.answer.strip()) or "(빈 답변)"
    if ans.notice:
        body = f"> ⚠️ {esc_md(ans.notice)}\n\n{body}"
    msgs = [{"role": "assistant", "content": body}]
    if ans.sources:
        msgs.append({"role": "assistant", "content": render_sources_md(ans.sources),
                     "metadata": {"title": f"📚 출처 {len(ans.sources)}건 (파일 · 제목 · 행 · 발췌)",
                                  "status": "done"}})
    return msgs


def answer_api_markdown(ans: Answer) -> str:
    """The /ask result for programs: the answer, an optional notice, then numbered sources."""
    parts = []
    if ans.notice:
        parts.append(f"> ⚠️ {ans.notice}")
    parts.append(ans.answer.strip())
    if ans.sources:
        parts.append("**출처**\n" + "\n".join(
            f"[{i}] {location(h.source, h.lines, h.page, h.ocr)} — {h.heading}" for i, h in enumerate(ans.sources, 1)))
    return "\n\n".join(parts)


def chat_stream(app: StudyApp, message: str, messages: list[dict], history: list[Turn]
                ) -> Iterator[tuple[list[dict], list[Turn], str]]:
    """Stream one chat turn: yields (chatbot messages, the conversation's turns, textbox value)."""
    message = (message or "").strip()
    messages = list(messages or [])
    history = list(history or [])
    if not message:
        yield list(messages), list(history), ""
        return
    messages.append({"role": "user", "content": esc_md(message)})
    messages.append({"role": "assistant", "content": THINKING})
    yield list(messages), list(history), ""
    text = ""
    answer: Answer | None = None
    try:
        for delta, final in app.ask_stream(message, history=list(history) or None):
            if final is not None:
                answer = final
                break
            if delta:
                text += delta
                messages[-1] = {"role": "assistant", "content": esc_md(text) + " ▌"}
                yield list(messages), list(history), ""
    except QueryError as exc:
        messages[-1] = {"role": "assistant", "content": f"⚠️ 질문을 처리할 수 없습니다: {esc_md(str(exc))}"}
        yield list(messages), list(history), ""
        return
    except Exception as exc:
        messages[-1] = {"role": "assistant",
                        "content": f"⚠️ 답변 중 오류가 났습니다: {esc_md(type(exc).__name__)}: {esc_md(str(exc))}"}
        yield list(messages), list(history), ""
        return
    if answer is None:
        answer = Answer(message, "template", text, ())
    messages[-1:] = chat_messages(answer)
    history.append(answer.turn)
    yield list(messages), list(history), ""
