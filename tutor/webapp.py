"""The web app's state and everything it shows, independent of Gradio.

`StudyApp` holds the one shared `NotesLibrary` (read-only for searches; a re-index swaps it
atomically) and the tutor; `QuizSession` is one learner's quiz run. Every function that
turns note text into Markdown or HTML escapes it here (`esc`, `esc_md`), so HTML or script
inside a note is shown as text and never runs — Gradio's own sanitising is a second layer,
not the only one. `app.py` only wires these functions to components.
"""
from __future__ import annotations

import atexit
import html
import itertools
import re
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator

from retriever import MODES, Hit, QueryError
from retriever.highlight import mark, match_spans

from . import notes as notes_mod
from .settings import Settings
from .types import QUIZ_KINDS, Answer, Grade, Quiz, QuizItem

ALL_FILES = "(모든 파일)"
SEARCH_MODE_LABELS = {"keyword": "키워드 (BM25)", "hybrid": "하이브리드", "semantic": "의미 (임베딩)"}
KIND_LABELS = {"mcq": "객관식", "ox": "OX", "short": "단답형", "cloze": "빈칸 채우기",
               "flashcard": "플래시카드"}
CHOICE_KINDS = ("mcq", "ox")


# -- escaping ---------------------------------------------------------------------------

def esc(text: str) -> str:
    """Text for HTML: every <, >, & and quote escaped."""
    return html.escape(text or "", quote=True)


_MD_LINK = re.compile(r"\]\s*\(")
_MD_REFDEF = re.compile(r"^(\s{0,3}\[[^\]\n]*\])\s*:", re.M)


def _esc_prose(text: str) -> str:
    out = html.escape(text, quote=False)
    out = _MD_REFDEF.sub(lambda m: m.group(1) + "&#8203;:", out)
    return _MD_LINK.sub("]&#8203;(", out).replace("![", "!&#8203;[")


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def esc_md(text: str) -> str:
    """Markdown from untrusted text: HTML escaped, and no link or image can form.

    Markdown emphasis, lists and headings still work; `<tag>` shows as text; `[x](url)` and
    `![x](url)` lose their link syntax so a note cannot smuggle a javascript: or tracking
    URL into the page. Fenced code blocks become `<pre><code>` with escaped content (inside a
    Markdown fence an entity would show literally, so `a >= b` needs this to read right);
    those tags are the only HTML in the result.
    """
    out: list[str] = []
    prose: list[str] = []
    code: list[str] | None = None
    fence = ""
    for line in (text or "").split("\n"):
        m = _FENCE.match(line)
        if code is None:
            if m:
                out.append(_esc_prose("\n".join(prose)))
                prose, code, fence = [], [], m.group(1)
            else:
                prose.append(line)
        elif m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not line.strip()[len(m.group(1)):].strip():
            out.append(_code_html(code))
            code = None
        else:
            code.append(line)
    if code is not None:
        out.append(_code_html(code))
    out.append(_esc_prose("\n".join(prose)))
    return "\n\n".join(x for x in out if x.strip())


def _code_html(lines: list[str]) -> str:
    body = html.escape("\n".join(lines), quote=False)
    return f"<pre><code>{body}</code></pre>"


def _lines(hit: Hit) -> str:
    a, b = hit.lines
    return f"{a}–{b}" if a != b else str(a)


def source_label(hit: Hit) -> str:
    return f"{hit.source} · {_lines(hit)}행"


def excerpt_window(text: str, spans: list[tuple[int, int]], width: int = 260) -> tuple[str, list[tuple[int, int]], bool, bool]:
    """A window of `text` around the first match: (body, spans inside it, cut left, cut right)."""
    start = max(0, spans[0][0] - 70) if spans else 0
    end = min(len(text), start + width)
    inner = [(max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start]
    return text[start:end], inner, start > 0, end < len(text)


def highlight_html(text: str, query: str, tokenizer, width: int | None = 260) -> str:
    """Escaped excerpt of `text` with the query's Kiwi terms in <mark>."""
    spans = match_spans(text, query, tokenizer) if query.strip() else []
    if width is None:
        body, inner, left, right = text, spans, False, False
    else:
        body, inner, left, right = excerpt_window(text, spans, width)
    marked = mark(body, inner, "<mark>", "</mark>", escape=esc)
    return ("… " if left else "") + marked + (" …" if right else "")


# -- rendering --------------------------------------------------------------------------

def render_hits_html(query: str, mode: str, hits: list[Hit], tokenizer) -> str:
    if not hits:
        return (f'<div class="study-empty">\u201c{esc(query)}\u201d 검색 결과가 없습니다. '
                f'다른 검색어나 검색 방식을 시도해 보세요.</div>')
    parts = [f'<div class="study-results"><div class="study-count">결과 {len(hits)}건 · '
             f'{esc(SEARCH_MODE_LABELS.get(mode, mode))}</div>']
    for h in hits:
        parts.append(
            '<div class="study-hit">'
            f'<div class="study-hit-head"><span class="study-rank">[{h.rank}]</span> '
            f'<span class="study-file">{esc(h.source)}</span> '
            f'<span class="study-lines">{esc(_lines(h))}행</span> '
            f'<span class="study-score">점수 {h.score:.3f}</span></div>'
            f'<div class="study-heading">{esc(h.heading)}</div>'
            f'<div class="study-excerpt">{highlight_html(h.text, query, tokenizer)}</div>'
            '</div>')
    parts.append("</div>")
    return "".join(parts)


def render_sources_md(hits: tuple[Hit, ...] | list[Hit], excerpt_chars: int = 220) -> str:
    """The sources of an answer as Markdown (escaped), one numbered entry each."""
    if not hits:
        return "출처 없음"
    out = []
    for i, h in enumerate(hits, 1):
        body = " ".join(h.text.replace("```", " ").split()).lstrip("#").strip()
        if len(body) > excerpt_chars:
            body = body[:excerpt_chars].rstrip() + " …"
        out.append(f"**[{i}] {esc_md(h.source)}** · {_lines(h)}행  \n"
                   f"_{esc_md(h.heading) or '(제목 없음)'}_  \n"
                   f"> {esc_md(body)}")
    return "\n\n".join(out)


def answer_api_markdown(ans: Answer) -> str:
    """The /ask result for programs: the answer, an optional notice, then numbered sources."""
    parts = []
    if ans.notice:
        parts.append(f"> ⚠️ {ans.notice}")
    parts.append(ans.answer.strip())
    if ans.sources:
        parts.append("**출처**\n" + "\n".join(
            f"[{i}] {h.source}:{h.lines[0]}-{h.lines[1]} — {h.heading}" for i, h in enumerate(ans.sources, 1)))
    return "\n\n".join(parts)


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


# -- quiz session -----------------------------------------------------------------------

@dataclass
class QuizSession:
    quiz: Quiz | None = None
    pos: int = 0
    grades: list[Grade | None] = field(default_factory=list)
    responses: list[str] = field(default_factory=list)
    message: str = ""  # error or notice to show

    @property
    def items(self) -> tuple[QuizItem, ...]:
        return self.quiz.items if self.quiz else ()

    @property
    def current(self) -> QuizItem | None:
        return self.items[self.pos] if 0 <= self.pos < len(self.items) else None

    @property
    def finished(self) -> bool:
        return bool(self.items) and self.pos >= len(self.items)

    @property
    def answered(self) -> int:
        return sum(g is not None for g in self.grades)

    @property
    def correct(self) -> int:
        return sum(bool(g and g.correct) for g in self.grades)

    @property
    def current_graded(self) -> bool:
        return self.current is not None and self.grades[self.pos] is not None

    def missed(self) -> list[tuple[QuizItem, Grade, str]]:
        return [(it, g, r) for it, g, r in zip(self.items, self.grades, self.responses)
                if g is not None and not g.correct]


@dataclass(frozen=True)
class QuizView:
    """What the quiz tab shows for a session (plain values; app.py maps them to components)."""
    header: str  # markdown: progress, score, notice
    question: str  # markdown (escaped)
    choices: list[str]
    choice_visible: bool
    text_visible: bool
    text_label: str
    feedback: str  # markdown (escaped)
    can_submit: bool
    can_next: bool
    next_label: str
    review: str  # markdown, at the end
    review_visible: bool


def _item_source(item: QuizItem) -> str:
    s = item.source
    a, b = s.lines
    where = f"{a}–{b}행" if a != b else f"{a}행"
    return f"{esc_md(s.source)} · {where} · _{esc_md(s.heading)}_"


def quiz_view(s: QuizSession) -> QuizView:
    n = len(s.items)
    if not n:
        msg = s.message or "주제(또는 단원)와 문항 수를 고르고 **퀴즈 만들기**를 누르세요."
        return QuizView(msg, "", [], False, False, "답", "", False, False, "다음 문제", "", False)
    score = f"**점수 {s.correct} / {s.answered}**"
    mode = "LLM 출제" if s.quiz and s.quiz.mode == "llm" else "템플릿 출제"
    notice = f"\n\n> ⚠️ {esc_md(s.quiz.notice)}" if s.quiz and s.quiz.notice else ""
    if s.finished:
        header = f"### 퀴즈 끝! {score} ({n}문항) · {mode}{notice}"
        return QuizView(header, "", [], False, False, "답", "", False, False, "다음 문제",
                        review_markdown(s), True)
    item = s.current
    assert item is not None
    header = f"문제 **{s.pos + 1} / {n}** · {score} · {mode}{notice}"
    question = f"**[{KIND_LABELS.get(item.kind, item.kind)}]** {esc_md(item.question)}"
    is_choice = item.kind in CHOICE_KINDS and bool(item.options)
    graded = s.current_graded
    feedback = grade_markdown(item, s.grades[s.pos]) if graded else ""
    text_label = "뒷면을 떠올려 적어 보세요" if item.kind == "flashcard" else "답을 입력하세요"
    last = s.pos == n - 1
    return QuizView(header, question, list(item.options), is_choice, not is_choice, text_label,
                    feedback, not graded, graded, "결과 보기" if last else "다음 문제", "", False)


def grade_markdown(item: QuizItem, g: Grade | None) -> str:
    """Verdict, the learner's answer, the right answer, the explanation and the source
    (built from the fields; `Grade.feedback` holds the same as plain text for the CLI)."""
    if g is None:
        return ""
    lines = ["### ✅ 정답입니다!" if g.correct else "### ❌ 틀렸습니다", ""]
    if not g.correct:
        lines.append(f"입력한 답: {esc_md(g.given) or '(빈 답)'}  ")
    lines.append(f"정답: **{esc_md(g.expected)}**  ")
    if item.explanation:
        lines.append(f"해설: {esc_md(item.explanation)}  ")
    lines.append(f"출처: {_item_source(item)}")
    return "\n".join(lines)


def review_markdown(s: QuizSession) -> str:
    missed = s.missed()
    if not missed:
        return "🎉 틀린 문제가 없습니다."
    out = [f"#### 틀린 문제 다시 보기 ({len(missed)}개)"]
    for i, (it, g, r) in enumerate(missed, 1):
        out.append(f"**{i}. [{KIND_LABELS.get(it.kind, it.kind)}]** {esc_md(it.question)}  \n"
                   f"내 답: {esc_md(r) or '(빈 답)'} · 정답: **{esc_md(g.expected)}**  \n"
                   f"해설: {esc_md(it.explanation)}  \n출처: {_item_source(it)}")
    return "\n\n".join(out)


# -- the app ----------------------------------------------------------------------------

def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


EXPORTS_KEPT = 20


class StudyApp:
    """One corpus, its index and the tutor, shared by every browser session and API call."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.library = settings.make_library()
        self._tutor = None
        self._tutor_lock = threading.Lock()
        self._reindex_lock = threading.Lock()
        self._examples: list[str] | None = None
        self._export_dir: Path | None = None
        self._export_seq = itertools.count(1)

    # start-up -------------------------------------------------------------------------
    def open(self, report: Callable[[str], None] = _stderr, warm: bool = True) -> float:
        """Load the index when current, else build it (progress on the console). Seconds taken."""
        t0 = time.perf_counter()
        rep = self.library.open(progress=True, report=report)
        if rep is None:
            report(f"색인을 불러왔습니다 (index loaded): {self.library.index_dir}")
        else:
            for sk in rep.skipped:
                report(f"경고: 건너뜀 {sk.path}: {sk.reason}")
            report(f"색인 준비 완료: 파일 {rep.files}, 청크 {rep.chunks}, 임베딩 {rep.embedded} "
                   f"({rep.seconds:.1f}s)")
        if warm:  # load Kiwi now so the first search does not pay for it
            self.library.search("준비", mode="keyword", k=1)
        return time.perf_counter() - t0

    def warm_embedder(self) -> None:
        """Load the embedding model (first semantic/hybrid query would otherwise wait for it)."""
        try:
            self.library.search("준비", mode="semantic", k=1)
        except Exception as exc:  # warm-up is best effort
            _stderr(f"경고: 임베딩 모델 예열 실패: {exc}")

    # tutor ------------------------------------------------------------------------------
    @property
    def tutor(self):
        if self._tutor is None:
            with self._tutor_lock:
                if self._tutor is None:
                    from .answer import Tutor

                    self._tutor = Tutor(self.library, self.settings)
        return self._tutor

    @property
    def mode_label(self) -> str:
        try:
            return self.tutor.mode_label
        except Exception as exc:
            return f"튜터를 불러올 수 없습니다: {exc}"

    def example_questions(self, n: int = 4) -> list[str]:
        if self._examples is None:
            try:
                self._examples = list(self.tutor.example_questions(n))[:n]
            except Exception as exc:
                _stderr(f"경고: 예시 질문을 만들 수 없습니다: {exc}")
                self._examples = []
        return self._examples

    # chat -------------------------------------------------------------------------------
    def chat(self, message: str, messages: list[dict], history: list) -> Iterator[tuple[list[dict], list, str]]:
        """Stream one chat turn: yields (chatbot messages, tutor history, textbox value)."""
        message = (message or "").strip()
        messages = list(messages or [])
        history = list(history or [])
        if not message:
            yield list(messages), list(history), ""
            return
        messages.append({"role": "user", "content": esc_md(message)})
        messages.append({"role": "assistant", "content": "⏳ 노트를 찾는 중…"})
        yield list(messages), list(history), ""
        text = ""
        answer: Answer | None = None
        try:
            for delta, final in self.tutor.ask_stream(message, history=list(history) or None):
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
        history.append((message, answer.answer))
        yield list(messages), list(history), ""

    def ask_markdown(self, question: str) -> str:
        question = (question or "").strip()
        if not question:
            raise QueryError("질문이 비어 있습니다.")
        return answer_api_markdown(self.tutor.ask(question))

    # search -----------------------------------------------------------------------------
    def sources(self) -> list[str]:
        return sorted(self.library.manifest.get("files", {}))

    def _source_filter(self, source: str | None) -> set[str] | None:
        return {source} if source and source != ALL_FILES else None

    def search(self, query: str, mode: str = "keyword", k: int = 5,
               source: str | None = None) -> list[Hit]:
        if mode not in MODES:
            raise QueryError(f"알 수 없는 검색 방식: {mode} ({', '.join(MODES)} 중 하나)")
        return self.library.search(query, mode=mode, k=max(1, min(int(k), 50)),
                                   sources=self._source_filter(source))

    def search_html(self, query: str, mode: str = "keyword", k: int = 5,
                    source: str | None = None) -> str:
        if not (query or "").strip():
            return '<div class="study-empty">검색어를 입력하세요.</div>'
        try:
            hits = self.search(query, mode, k, source)
        except QueryError as exc:
            return f'<div class="study-error">⚠️ {esc(str(exc))}</div>'
        return render_hits_html(query, mode, hits, self.library.tokenizer)

    def search_api(self, query: str, mode: str = "keyword", k: int = 5, source: str = "") -> dict:
        hits = self.search(query, mode, k, source or None)
        out = []
        for h in hits:
            d = h.to_dict()
            spans = match_spans(h.text, query, self.library.tokenizer)
            d["highlighted"] = mark(h.text, spans, "«", "»")
            out.append(d)
        return {"query": query, "mode": mode, "hits": out}

    # quiz -------------------------------------------------------------------------------
    def section_titles(self) -> list[str]:
        try:
            from .quiz import section_titles

            return list(section_titles(self.library))
        except Exception as exc:
            _stderr(f"경고: 단원 목록을 만들 수 없습니다: {exc}")
            return []

    def make_quiz(self, topic: str | None = None, n: int = 5, kinds: list[str] | None = None,
                  seed: int = 0) -> Quiz:
        from .quiz import make_quiz

        kinds = [k for k in (kinds or []) if k in QUIZ_KINDS] or None
        topic = (topic or "").strip() or None
        return make_quiz(self.library, n=max(1, min(int(n), 30)), topic=topic, seed=int(seed),
                         kinds=kinds, settings=self.settings)

    def new_session(self, topic: str, section: str | None, n: int, kinds: list[str],
                    seed: int | None = None) -> QuizSession:
        chosen = (topic or "").strip() or (section or "").strip() or None
        try:
            quiz = self.make_quiz(chosen, n, kinds, seed=int(time.time()) if seed is None else seed)
        except QueryError as exc:
            return QuizSession(message=f"⚠️ {esc_md(str(exc))}")
        except Exception as exc:
            return QuizSession(message=f"⚠️ 퀴즈를 만들 수 없습니다: {esc_md(type(exc).__name__)}: {esc_md(str(exc))}")
        if not quiz.items:
            why = f" ({esc_md(quiz.notice)})" if quiz.notice else ""
            return QuizSession(message=f"⚠️ 이 주제로 만들 수 있는 문제가 없습니다{why}. 다른 주제를 골라 보세요.")
        n_items = len(quiz.items)
        return QuizSession(quiz=quiz, grades=[None] * n_items, responses=[""] * n_items)

    def submit(self, s: QuizSession, response: str | None) -> QuizSession:
        item = s.current
        if item is None or s.current_graded:
            return s
        from .grading import grade

        response = (response or "").strip()
        g = grade(item, response, tokenizer=self.library.tokenizer)
        grades, responses = list(s.grades), list(s.responses)
        grades[s.pos], responses[s.pos] = g, response
        return replace(s, grades=grades, responses=responses, message="")

    @staticmethod
    def advance(s: QuizSession) -> QuizSession:
        if s.current is None or not s.current_graded:
            return s
        return replace(s, pos=s.pos + 1)

    def export(self, s: QuizSession, fmt: str) -> str | None:
        """Write the session's items as CSV or an Anki deck; the file's path (None if no quiz)."""
        if not s.items:
            return None
        from . import export as export_mod

        folder = self._exports()
        stem = f"quiz-{time.strftime('%Y%m%d-%H%M%S')}-{next(self._export_seq)}"
        if fmt == "csv":
            path = folder / f"{stem}.csv"
            export_mod.export_csv(s.items, path)
        else:
            path = folder / f"{stem}.apkg"
            export_mod.export_anki(s.items, path)
        # Gradio serves a copy from its own cache; keep only the latest few here.
        for old in sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime)[:-EXPORTS_KEPT]:
            old.unlink(missing_ok=True)
        return str(path)

    def _exports(self) -> Path:
        """One temporary folder per app for quiz exports, removed when the process ends."""
        if self._export_dir is None:
            self._export_dir = Path(tempfile.mkdtemp(prefix="study-quiz-"))
            atexit.register(shutil.rmtree, self._export_dir, True)
        return self._export_dir

    def quiz_api(self, topic: str = "", n: int = 5, kinds: str = "", seed: int = 0) -> dict:
        kind_list = [k.strip() for k in (kinds or "").split(",") if k.strip()]
        bad = [k for k in kind_list if k not in QUIZ_KINDS]
        if bad:
            raise QueryError(f"알 수 없는 문항 유형: {', '.join(bad)} ({', '.join(QUIZ_KINDS)} 중에서)")
        return self.make_quiz(topic, n, kind_list, seed).to_dict()

    # notes ------------------------------------------------------------------------------
    def note_rows(self) -> list[notes_mod.NoteRow]:
        return notes_mod.list_notes(self.library.corpus_dir, self.library.manifest)

    def notes_html(self) -> str:
        rows = self.note_rows()
        if not rows:
            return '<div class="study-empty">노트 폴더에 노트가 없습니다. .md / .txt 파일을 올리세요.</div>'
        body = "".join(
            f"<tr><td>{esc(r.source)}</td><td class='num'>{r.chunks}</td>"
            f"<td class='num'>{r.size:,}</td><td>{esc(r.status)}</td></tr>" for r in rows)
        return ("<table class='study-notes'><thead><tr><th>파일</th><th>청크</th><th>크기(바이트)</th>"
                f"<th>상태</th></tr></thead><tbody>{body}</tbody></table>")

    def status_markdown(self) -> str:
        st = notes_mod.index_status(self.library.manifest, self.library.index_dir, self.note_rows())
        secs = f"{st['build_seconds']:.1f}초" if isinstance(st["build_seconds"], (int, float)) else "?"
        fresh = "✅ 최신" if st["up_to_date"] else "⚠️ 노트가 바뀌었습니다 — 재색인하세요"
        return (f"**색인 상태**: {fresh}  \n"
                f"파일 **{st['files']}**개 · 청크 **{st['chunks']}**개 · 건너뛴 파일 {st['skipped']}개  \n"
                f"임베더: `{esc_md(st['embedder'])}` ({st['dim']}차원) · 마지막 빌드 {esc_md(st['built_at'])} "
                f"({secs})  \n노트 폴더: `{esc_md(str(self.library.corpus_dir))}` · "
                f"색인 폴더: `{esc_md(str(self.library.index_dir))}`")

    def upload(self, files: list[str] | str | None, overwrite: bool = False) -> str:
        if not files:
            return "올릴 파일을 고르세요 (.md, .txt)."
        if isinstance(files, (str, Path)):
            files = [files]
        lines = []
        for f in files:
            path = getattr(f, "name", f)
            shown = Path(str(path)).name
            try:
                saved = notes_mod.save_upload(self.library.corpus_dir, path, shown, overwrite=overwrite)
                lines.append(f"✅ {esc_md(saved.message())}")
            except notes_mod.UploadError as exc:
                lines.append(f"❌ {esc_md(shown)}: {esc_md(str(exc))}")
        return "\n\n".join(lines)

    def reindex(self, rebuild: bool = False, report: Callable[[str], None] | None = None) -> str:
        if not self._reindex_lock.acquire(blocking=False):
            return "⚠️ 이미 재색인 중입니다. 잠시 후 다시 시도하세요."
        try:
            msgs: list[str] = []

            def say(msg: str) -> None:
                msgs.append(msg)
                _stderr(msg)
                if report:
                    report(msg)

            rep = self.library.refresh(rebuild=rebuild, progress=True, report=say)
            self._examples = None
            if not rep.changed:
                out = f"변경 없음: 파일 {rep.files}개, 청크 {rep.chunks}개 ({rep.seconds:.1f}초)"
            else:
                out = (f"✅ 재색인 완료: 파일 {rep.files}개, 청크 {rep.chunks}개 (새로 임베딩 {rep.embedded}, "
                       f"재사용 {rep.reused}, 삭제된 파일 {rep.removed}) · {rep.seconds:.1f}초")
            for sk in rep.skipped:
                out += f"  \n⚠️ 건너뜀: {esc_md(sk.path)} — {esc_md(sk.reason)}"
            return out
        finally:
            self._reindex_lock.release()
