"""Grounded answers: an extractive template answer from the notes, or an LLM answer over
numbered excerpts, with the template as the fallback for every LLM failure.

The pieces live beside this module: `evidence` (what the notes say and whether they cover
the question), `compose` (the template answer), `followup` (follow-up turns), `prompts`.
"""
from __future__ import annotations

from typing import Iterator, Sequence

from retriever import Hit, NotesLibrary, QueryError, prepare_query

from .compose import HARD_MAX, Composer, check_citations, rerank
from .evidence import EvidenceFinder, Retrieval
from .followup import carried_part, rewrite_followup
from .shape import NOT_COVERED, AnswerJudge, Judged
from ..common.llm import ChatLLM, LLMError
from ..common.prompts import answer_messages, clip, rewrite_messages
from .llm_shape import llm_verdict, shape_hint
from ..common.types import Answer, Turn

LLM_EXCERPTS = 5
TEMPLATE_LABEL = "템플릿 모드 — LLM 미설정"
EMPTY_QUESTION = "질문이 비어 있습니다. 노트에 대해 궁금한 점을 입력해 주세요."

__all__ = ["HARD_MAX", "NOT_COVERED", "Tutor"]


class Tutor:
    """Answers questions over a `NotesLibrary`; thread-safe for concurrent `ask` calls.

    `llm` is the one chat model of the application (None: template answers only).
    """

    def __init__(self, library: NotesLibrary, llm: ChatLLM | None = None) -> None:
        self.library = library
        self.llm = llm
        self.evidence = EvidenceFinder(library)
        self.composer = Composer(library)
        self.judge = AnswerJudge(library, self.evidence)

    # -- public ------------------------------------------------------------------------
    @property
    def mode_label(self) -> str:
        return self.llm.label if self.llm else TEMPLATE_LABEL

    def example_questions(self, n: int = 4) -> list[str]:
        """Questions a learner could ask, made from the notes' own sections."""
        out: list[str] = []
        for sec in self.library.structure().sections:
            if sec.structured and sec.answer is not None:
                out.append(f"{sec.short_title}의 정답과 시험 포인트는?")
            elif sec.title and sec.units:
                out.append(f"{sec.short_title}에 대해 알려줘")
        uniq = list(dict.fromkeys(out))
        if len(uniq) > n:  # spread over the notes rather than the first n sections
            step = len(uniq) / n
            uniq = [uniq[int(i * step)] for i in range(n)]
        return uniq[:n]

    def retrieve(self, query: str) -> Retrieval:
        return self.evidence.retrieve(query)

    def ask(self, question: str, history: Sequence[Turn] | None = None) -> Answer:
        final: Answer | None = None
        for _, ans in self.ask_stream(question, history):
            if ans is not None:
                final = ans
        assert final is not None
        return final

    def ask_stream(self, question: str, history: Sequence[Turn] | None = None
                   ) -> Iterator[tuple[str, Answer | None]]:
        """Text deltas `(delta, None)`, then `("", Answer)`; the final Answer is authoritative
        (after an LLM failure mid-stream it holds the template answer and a notice)."""
        try:
            question = prepare_query(question).text
        except QueryError as exc:
            ans = Answer(question=str(question or ""), mode="template", answer=EMPTY_QUESTION,
                         sources=(), notice=str(exc), covered=False)
            yield ans.answer, None
            yield "", ans
            return
        turns = [t for t in (history or []) if t.question.strip()]
        query, notice = self._standalone(question, turns)
        judged = self.judge.judge(query, self.retrieve(query))
        ret = judged.ret
        carried = carried_part(question, query)
        if self.llm is not None and notice is None and ret.hits:
            try:
                yield from self._llm_answer(question, query, judged, turns)
                return
            except LLMError as exc:
                notice = exc.notice
        made = self.composer.answer(ret, question, carried, followup=bool(carried), judged=judged)
        yield made.text, None
        yield "", Answer(question=question, mode="template", answer=made.text, sources=tuple(made.sources),
                         notice=notice, topic=made.topic, verdict=made.verdict, covered=made.covered)

    # -- steps -------------------------------------------------------------------------
    def _standalone(self, question: str, turns: list[Turn]) -> tuple[str, str | None]:
        """The question to search for (a follow-up gets its topic back), and an LLM notice
        when rewriting it with the LLM failed (then the rest of the turn is template mode)."""
        if not turns:
            return question, None
        if self.llm is not None:
            try:
                text = self.llm.complete(rewrite_messages(question, turns)).strip().splitlines()[0]
                text = text.strip().strip('"')
                if text:
                    return clip(text, 300), None
            except LLMError as exc:
                return self._rewrite_template(question, turns), exc.notice
        return self._rewrite_template(question, turns), None

    def _rewrite_template(self, question: str, turns: list[Turn]) -> str:
        return rewrite_followup(question, turns, self.library.tokenizer, self.library.term_stats(),
                                self._topical())

    def _topical(self):
        """`term → bool`: whether a term names a topic — it occurs in at most 40 % of the
        notes' sections (and in one at least)."""
        lib = self.library

        def build() -> dict[str, int]:
            secs = lib.structure().sections
            texts = [f"{s.title}\n" + "\n".join(u.text for u in s.units) for s in secs]
            df: dict[str, int] = {}
            for terms in lib.tokenizer.tokenize_many(texts):
                for t in set(terms):
                    df[t] = df.get(t, 0) + 1
            return df

        df = lib.memo("tutor:section-df", build)
        limit = max(1, int(0.4 * len(lib.structure().sections)))
        return lambda t: 0 < df.get(t, 0) <= limit

    def _llm_answer(self, question: str, query: str, judged: Judged, turns: list[Turn]
                    ) -> Iterator[tuple[str, Answer | None]]:
        assert self.llm is not None
        ret = judged.ret
        if judged.covered:
            excerpts, focus = self._excerpts_and_focus(ret, question, carried_part(question, query))
        else:  # nothing to focus on: the nearest sections' chunks, for the model to name them
            excerpts, focus = [rerank(h, i) for i, h in enumerate(ret.hits[:LLM_EXCERPTS], start=1)], []
        hint = shape_hint(judged, ret, excerpts)
        parts: list[str] = []
        for delta in self.llm.stream(answer_messages(question, query, excerpts, turns, focus, hint)):
            parts.append(delta)
            yield delta, None
        text, extra = check_citations("".join(parts).strip(), len(excerpts))
        topic = ret.sections[0].short_title if judged.covered and ret.sections else ""
        yield "", Answer(question=question, mode="llm", answer=text, sources=tuple(excerpts), notice=extra,
                         topic=topic, verdict=llm_verdict(text, judged), covered=judged.covered)

    def _excerpts_and_focus(self, ret: Retrieval, question: str, carried: str
                            ) -> tuple[list[Hit], list[tuple[str, int]]]:
        """Up to LLM_EXCERPTS hits renumbered 1..n — the chunks of the focused lines first,
        then the best section's, then the rest — and the focused lines with their excerpt
        number, which go at the top of the context."""
        first = ret.sections[0] if ret.sections else None
        lines = self.composer.focus(ret, question, carried, n=3) if first and ret.found else []
        chunks = [self.composer.chunk_for(ret, first, f.line.unit, f.line.line) for f in lines] if first else []
        ordered = chunks + sorted(ret.hits, key=lambda h: (0 if first and first.contains(h.source, h.lines[0]) else 1,
                                                          h.rank))
        picked: list[Hit] = []
        for h in ordered:
            if all((h.source, h.lines) != (p.source, p.lines) for p in picked):
                picked.append(h)
        picked = [rerank(h, i) for i, h in enumerate(picked[:LLM_EXCERPTS], start=1)]
        focus = []
        for f, h in zip(lines, chunks):
            n = next((p.rank for p in picked if (p.source, p.lines) == (h.source, h.lines)), None)
            if n is not None:
                focus.append((f.line.text, n))
        return picked, focus
