"""The named API endpoints for programs (gradio_client): /ask, /search, /quiz."""
from __future__ import annotations

from retriever import QueryError
from retriever.highlight import mark, match_spans
from studyapp.service import StudyApp

from .chat import answer_api_markdown


def ask_markdown(sa: StudyApp, question: str) -> str:
    question = (question or "").strip()
    if not question:
        raise QueryError("질문이 비어 있습니다.")
    return answer_api_markdown(sa.tutor.ask(question))


def search_result(sa: StudyApp, query: str, mode: str = "keyword", k: int = 5, source: str = "") -> dict:
    hits = sa.search(query, mode, k, source or None)
    out = []
    for h in hits:
        d = h.to_dict()
        d["highlighted"] = mark(h.text, match_spans(h.text, query, sa.library.tokenizer), "«", "»")
        out.append(d)
    # while a first build embeds, semantic/hybrid answer with keyword hits: say which modes are live
    return {"query": query, "mode": mode, "hits": out, "live_modes": list(sa.library.live_modes)}


def quiz_result(sa: StudyApp, topic: str = "", n: int = 5, kinds: str = "", seed: int = 0) -> dict:
    kind_list = [k.strip() for k in (kinds or "").split(",") if k.strip()]
    return sa.make_quiz(topic, n, kind_list, seed).to_dict()


def register(sa: StudyApp, limit: int) -> None:
    """Declare the endpoints inside the open Blocks (their docstrings are the API docs)."""
    import gradio as gr

    def api_error(exc: Exception) -> Exception:
        return gr.Error(str(exc) if isinstance(exc, QueryError) else f"{type(exc).__name__}: {exc}")

    def ask(question: str) -> str:
        """질문 → 노트에 근거한 답변 마크다운 ([n] 인용과 출처 목록 포함)."""
        try:
            return ask_markdown(sa, question)
        except Exception as exc:
            raise api_error(exc) from None

    def search(query: str, mode: str = "keyword", k: int = 5, source: str = "") -> dict:
        """검색어 → {query, mode, hits: [{rank, source, heading, lines, score, text, highlighted}]}."""
        try:
            return search_result(sa, query, mode, k, source)
        except Exception as exc:
            raise api_error(exc) from None

    def quiz(topic: str = "", n: int = 5, kinds: str = "", seed: int = 0) -> dict:
        """주제 → {items: [{id, kind, question, options, answer, explanation, source}], mode}.
        kinds: 쉼표로 구분 (mcq,ox,short,cloze,flashcard), 비우면 전부."""
        try:
            return quiz_result(sa, topic, n, kinds, seed)
        except Exception as exc:
            raise api_error(exc) from None

    gr.api(ask, api_name="ask", concurrency_id="tutor", concurrency_limit=limit)
    gr.api(search, api_name="search", concurrency_id="search", concurrency_limit=limit)
    gr.api(quiz, api_name="quiz", concurrency_id="tutor", concurrency_limit=limit)
