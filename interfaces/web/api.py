"""The named API endpoints for programs (gradio_client or plain HTTP): /ask, /search, /quiz and,
for the logged-in learner (never a user named in a parameter), /grade, /review, /wrong,
/progress, /plan, /exam, /exam_submit, /optimize and /guide (the 단원 요약) with the CLI's `--json` shapes;
for teachers only, /class_progress, /item_stats and /retire_item (`api_class`)."""
from __future__ import annotations

import json

from studyapp import (DEFAULT_EXAM_ITEMS, REVIEW_SIZE, GuideError, InvalidInput, QueryError, RecordError, StudyApp,
                      UnknownSection, mark, parse_at)

from .api_class import register_class
from .chat import answer_api_markdown
from .question_panel import requester, user_of


def ask_markdown(sa: StudyApp, question: str) -> str:
    question = (question or "").strip()
    if not question:
        raise QueryError("질문이 비어 있습니다.")
    return answer_api_markdown(sa.ask(question))


def search_result(sa: StudyApp, query: str, mode: str = "keyword", k: int = 5, source: str = "") -> dict:
    hits, weights = sa.search_weighed(query, mode, k, source or None)
    out = []
    for h in hits:
        d = h.to_dict()
        d["highlighted"] = mark(h.text, sa.match_spans(h.text, query), "«", "»")
        out.append(d)
    # while a first build embeds, semantic/hybrid answer with keyword hits: say which modes are live
    return {"query": query, "mode": mode, "hits": out, "live_modes": list(sa.state.live_modes),
            "fusion": weights.to_dict() if weights else None}


def quiz_result(sa: StudyApp, user: str, topic: str = "", n: int = 5, kinds: str = "", seed: int = 0) -> dict:
    """A quiz whose items are recorded as shown to `user` (as `python -m tutor quiz` does)."""
    return sa.quiz(user, topic, n, kinds, seed).to_dict()


def _at(text: str):
    return parse_at(text) if (text or "").strip() else None


def grade_result(sa: StudyApp, user: str, item_id: str, answer: str, rating: str = "") -> dict:
    return sa.grade(user, item_id, answer, rating=rating or None).to_dict()


def review_result(sa: StudyApp, user: str, n: int | None = REVIEW_SIZE, at: str = "") -> dict:
    return sa.review(user, n=None if n is None else int(n), at=_at(at)).to_dict()


def wrong_result(sa: StudyApp, user: str) -> dict:
    return sa.wrong(user).to_dict()


def progress_result(sa: StudyApp, user: str, at: str = "") -> dict:
    return sa.progress(user, at=_at(at)).to_dict()


def plan_result(sa: StudyApp, user: str, exam: str | None = None, per_day: int | None = None,
                target: float | None = None, minutes: float | None = None, at: str = "") -> dict:
    return sa.plan(user, exam=(exam or "").strip() or None, per_day=per_day, target=target, at=_at(at),
                   minutes=minutes).to_dict()


def exam_start_result(sa: StudyApp, user: str, n: int = DEFAULT_EXAM_ITEMS, minutes: float | None = None,
                      seed: int | None = None) -> dict:
    return sa.start_exam(user, int(n), minutes=minutes or None, seed=seed).to_dict()


def exam_submit_result(sa: StudyApp, user: str, exam_id: str, answers: dict | str | None = None) -> dict:
    if isinstance(answers, str):
        try:
            answers = json.loads(answers) if answers.strip() else {}
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"답안이 JSON이 아닙니다 (answers: bad JSON): {exc.msg}") from None
    return sa.submit_exam(user, exam_id, answers if answers is not None else {}).to_dict()


def optimize_result(sa: StudyApp, user: str) -> dict:
    return sa.optimize(user).to_dict()


def guard(sa: StudyApp):
    """`guarded(fn, *args)`: `fn(sa, *args)` with any failure as one `gr.Error` line."""
    import gradio as gr

    def guarded(fn, *args):
        try:
            return fn(sa, *args)
        except Exception as exc:
            known = isinstance(exc, (QueryError, RecordError, UnknownSection, GuideError))
            raise gr.Error(str(exc) if known else f"{type(exc).__name__}: {exc}") from None

    return guarded


def register(sa: StudyApp, limit: int) -> None:
    """Declare the endpoints inside the open Blocks (their docstrings are the API docs)."""
    import gradio as gr

    guarded = guard(sa)

    def ask(question: str) -> str:
        """질문 → 노트에 근거한 답변 마크다운 ([n] 인용과 출처 목록 포함)."""
        return guarded(ask_markdown, question)

    def search(query: str, mode: str = "keyword", k: int = 5, source: str = "") -> dict:
        """검색어 → {query, mode, hits: [{rank, source, heading, lines, score, text, highlighted}]}."""
        return guarded(search_result, query, mode, k, source)

    @requester
    def quiz(topic: str = "", n: int = 5, kinds: str = "", seed: int = 0, request=None) -> dict:
        """주제 → {items: [{id, kind, question, options, answer, explanation, source}], mode}.
        kinds: 쉼표로 구분 (mcq,ox,short,cloze,flashcard), 비우면 전부. 낸 문제는 로그인한 사용자의
        학습 기록에 남아 /grade 로 채점할 수 있습니다."""
        return guarded(quiz_result, user_of(sa, request), topic, n, kinds, seed)

    @requester
    def grade(item_id: str, answer: str, rating: str = "", request=None) -> dict:
        """문항 id와 답 → 채점하고 기록 → {user, item_id, correct, expected, rating, due}.
        rating: again|hard|good|easy (비우면 맞으면 good, 틀리면 again)."""
        return guarded(grade_result, user_of(sa, request), item_id, answer, rating)

    @requester
    def review(n: int = REVIEW_SIZE, at: str = "", request=None) -> dict:
        """지금 복습할 문제 → {user, items: [{…문항…, reason: due|weak|new, due}]}. at: ISO 8601 (선택)."""
        return guarded(review_result, user_of(sa, request), n, at)

    @requester
    def wrong(request=None) -> dict:
        """오답 노트 → {user, items: [{id, question, answer, last_answer, wrong_count, source}]}."""
        return guarded(wrong_result, user_of(sa, request))

    @requester
    def progress(at: str = "", request=None) -> dict:
        """학습 현황 → {user, attempts, correct, streak_days, due_now, sections: […], exam}."""
        return guarded(progress_result, user_of(sa, request), at)

    gr.api(ask, api_name="ask", concurrency_id="ask", concurrency_limit=limit)  # never behind quizzes
    gr.api(search, api_name="search", concurrency_id="search", concurrency_limit=limit)
    gr.api(quiz, api_name="quiz", concurrency_id="tutor", concurrency_limit=limit)
    for fn in (grade, review, wrong, progress):
        gr.api(fn, api_name=fn.__name__, concurrency_id="record", concurrency_limit=limit)
    register_prep(sa, limit, guarded)
    register_class(sa, limit, guarded)


def register_prep(sa: StudyApp, limit: int, guarded) -> None:
    """The endpoints of studying toward the exam: /plan, /exam, /exam_submit, /optimize."""
    import gradio as gr

    @requester
    def plan(exam: str | None = None, per_day: int | None = None, target: float | None = None,
             minutes: float | None = None, at: str = "", request=None) -> dict:
        """학습 계획 → {user, exam, per_day, target, feasible, needed_per_day, days: [{date, review, new, total}],
        predicted: {overall, sections: [{section, now, exam}]}}. 비운 값은 내 설정(시험일, 하루 20문제, 0.9);
        minutes: 하루 공부 시간(분, per_day 대신)."""
        return guarded(plan_result, user_of(sa, request), exam, per_day, target, minutes, at)

    @requester
    def exam(n: int = DEFAULT_EXAM_ITEMS, minutes: float | None = None, seed: int | None = None,
             request=None) -> dict:
        """모의고사 시작 → {exam_id, minutes, items: [{id, kind, question, options, source}]} (정답은 숨김;
        문항은 출제된 것으로 기록). minutes 기본: 문항당 1.5분."""
        return guarded(exam_start_result, user_of(sa, request), n, minutes, seed)

    @requester
    def exam_submit(exam_id: str, answers: dict | None = None, request=None) -> dict:
        """모의고사 제출 {문항 id: 답} → {exam_id, score, correct, total, seconds, sections: [{section, correct,
        total}], missed: [{id, question, answer, given, source}]}. 안 푼 문제는 오답; 두 번째 제출은 거절."""
        return guarded(exam_submit_result, user_of(sa, request), exam_id, answers)

    @requester
    def optimize(request=None) -> dict:
        """내 복습 기록으로 FSRS 매개변수 맞추기 → {user, reviews, fitted, logloss_default, logloss_fitted,
        parameters} (수 초)."""
        return guarded(optimize_result, user_of(sa, request))

    @requester
    def guide(section: str = "", request=None) -> dict:
        """단원 요약 → {sections: [{section, source, scenario, answer, terms: [{term, definition, source}], points,
        use, avoid, numbers, missed}]}. section: 제목에 이 글자가 든 단원만 (비우면 전부); missed는 내 오답 노트."""
        return guarded(lambda app, u, s: app.guide(u, s or None).to_dict(), user_of(sa, request), section)

    for fn in (plan, exam, exam_submit, guide):
        gr.api(fn, api_name=fn.__name__, concurrency_id="record", concurrency_limit=limit)
    gr.api(optimize, api_name="optimize", concurrency_id="optimize", concurrency_limit=1)
