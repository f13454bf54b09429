"""The teacher's API endpoints — /class_progress, /item_stats, /retire_item — for the logged-in
user only; `StudyApp` refuses anyone who is not a teacher (one Korean line as the error)."""
from __future__ import annotations

from studyapp import StudyApp

from .question_panel import requester, user_of


def register_class(sa: StudyApp, limit: int, guarded) -> None:
    import gradio as gr

    @requester
    def class_progress(request=None) -> dict:
        """교사 전용: 반 현황 → {at, sections, learners: [{user, mastery: {단원: 0~1}, attempts_7d, attempts,
        last_at, inactive}], attempts_7d, inactive}."""
        return guarded(lambda s, u: s.class_progress(u).to_dict(), user_of(sa, request))

    @requester
    def item_stats(request=None) -> dict:
        """교사 전용: 문항 분석 (첫 답 10개 이상) → {at, min_answers, learners, fewer, items: [{id, kind, question,
        section, source, answers, correct, facility, discrimination, flags, retired}]}."""
        return guarded(lambda s, u: s.item_stats(u).to_dict(), user_of(sa, request))

    @requester
    def retire_item(item_id: str, restore: bool = False, request=None) -> dict:
        """교사 전용: 문항을 모두에게서 빼기 (restore=true: 되돌리기) → {id, retired, changed}."""
        def run(s: StudyApp, user: str) -> dict:
            changed = s.retire_item(user, item_id, retired=not restore)
            return {"id": item_id, "retired": not restore, "changed": changed}
        return guarded(run, user_of(sa, request))

    for fn in (class_progress, item_stats, retire_item):
        gr.api(fn, api_name=fn.__name__, concurrency_id="record", concurrency_limit=limit)
