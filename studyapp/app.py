"""`StudyApp`: the one door of the application. The CLI, the web page and the API call only
its verbs; it holds the one library, tutor, learning record and notes folder behind every
browser session, API call and command, with their locks.

Every verb that reads or writes a learner's record takes the user explicitly. Verbs return
plain values (hits, answers, quizzes, sessions, reports) that the interfaces render.
"""
from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, ContextManager, Iterator, Sequence

from retriever import BuildReport, Hit, PreparedQuery, Weights, check_mode, prepare_query
from retriever.highlight import match_spans
from retriever.vectors import pending_ids
from tutor.common.types import Answer, Turn
from tutor.quizzes import section_titles

from . import notes as notes_mod
from .downloads import DownloadFolder
from .exam_prep import ExamPrepVerbs
from .guides import GuideVerbs
from .index_report import index_headline, skipped_lines
from .learner import LearnerVerbs
from .optimize_jobs import OptimizeJobs
from .practice import Practice
from .settings import Settings
from .teacher import TeacherVerbs
from .watch import GenerationWatcher, NotesWatcher, signature
from .wiring import Services, wire

Report = Callable[[str], None]


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Upload:
    """One uploaded file: its shown name and what became of it."""

    name: str
    saved: notes_mod.SavedNote | None
    error: str = ""


@dataclass(frozen=True)
class IndexState:
    """Where the index stands, for a status line: a build's progress and the live search modes."""

    building: bool
    embedded: int
    to_embed: int
    fraction: float
    error: str
    live_modes: tuple[str, ...]
    ocr_done: int = 0  # scanned pages recognised so far in this build (OCR)
    ocr_total: int = 0  # scanned pages this build reads (pages read before come from the cache)

    @property
    def ocr_running(self) -> bool:
        """Scanned pages are being read; each joins the search when its batch is published."""
        return self.building and self.ocr_done < self.ocr_total

    @property
    def ocr_progress(self) -> str:
        """`스캔 페이지 인식 중 12/80 · 의미 검색은 인식 후` while scanned pages are read (their
        chunks are found by keyword; their vectors are written once the last page is), else ""."""
        return f"스캔 페이지 인식 중 {self.ocr_done}/{self.ocr_total} · 의미 검색은 인식 후" if self.ocr_running else ""


class StudyApp(LearnerVerbs, ExamPrepVerbs, GuideVerbs, TeacherVerbs):
    """The application: every verb the interfaces use (the learner's in `learner.LearnerVerbs`,
    studying toward the exam in `exam_prep.ExamPrepVerbs`, the 단원 요약 in `guides.GuideVerbs`,
    accounts and the teacher's in `accounts.AccountVerbs` and `teacher.TeacherVerbs`)."""

    def __init__(self, settings: Settings | Services) -> None:
        services = settings if isinstance(settings, Services) else wire(settings)
        self.settings = services.settings
        self._library, self._tutor, self._record = services.library, services.tutor, services.record
        self._practice = Practice(services.record, services.library, services.llm)
        self._downloads = DownloadFolder()
        self._optimize_jobs = OptimizeJobs(self._record.record_optimize)
        self._reindex_lock = threading.Lock()
        self._examples: list[str] | None = None
        self._pending: threading.Thread | None = None  # a background build a command left running

    def user_of(self, login: str | None) -> str:
        """Whose record a request reads and writes: the logged-in user, else `STUDY_USER`/local."""
        return (login or "").strip() or self.settings.user

    # -- the index ------------------------------------------------------------------------
    def open(self, report: Report = _stderr, warm: bool = True, background: bool = True) -> float:
        """Load the index when current; else build it — in the background by default, returning
        as soon as keyword search works (semantic and hybrid follow when the vectors are done).
        Seconds taken."""
        t0 = time.perf_counter()
        lib = self._library
        if lib.open_current():
            report(f"색인을 불러왔습니다 (index loaded): {lib.index_dir}")
        elif background:
            report("색인을 만드는 중입니다: 키워드 검색부터 되고, 의미·하이브리드 검색은 임베딩이 끝나면 켜집니다.")
            # no tqdm bar here: Gradio patches tqdm, and a bar outside its events breaks it;
            # the page shows the build's progress instead
            lib.start_refresh(report=report, on_done=lambda rep: self._built(rep, report))
            self._wait_serving()
        else:
            self._built(lib.refresh(progress=True, report=report), report)
        if warm and lib.live_modes:  # load Kiwi now so the first search does not pay for it
            lib.search("준비", mode="keyword", k=1)
        return time.perf_counter() - t0

    def sync_index(self, dense: bool, report: Report | None = _stderr, progress: bool = False) -> None:
        """Bring the index up to date with the notes for a command. With `dense`, wait for the
        whole build; without (keyword search, template answers, quizzes) a build that has to
        embed goes on in the background once keyword search works — `finish()` waits for it."""
        lib = self._library

        def done(rep: BuildReport) -> None:
            for line in skipped_lines(rep):
                _stderr(line)
            if rep.changed and report is not None:
                report(index_headline(rep, done="색인 갱신 (index updated)"))

        if dense:
            done(lib.refresh(progress=progress, report=report))
        elif not lib.open_current():
            self._pending = lib.start_refresh(report=report, on_done=done)
            self._wait_serving()

    def _wait_serving(self) -> None:
        self._library.wait_serving()
        if self._library.status.error:
            raise RuntimeError(self._library.status.error)

    def building_left(self) -> bool:
        """Whether a background build `sync_index` started is still running."""
        return self._pending is not None and self._pending.is_alive()

    def finish(self) -> None:
        """Wait for a background build `sync_index` left running."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.join()

    def _built(self, rep: BuildReport, report: Report) -> None:
        for line in skipped_lines(rep):
            report(line)
        report(index_headline(rep, done="색인 준비 완료", unchanged="색인 준비 완료"))
        self._examples = None
        self.warm_quizzes()  # the new generation's quiz pool, before a learner asks for a quiz

    def reindex(self, rebuild: bool = False, report: Report = _stderr, progress: bool = True) -> BuildReport | None:
        """Bring the index up to date now; None when a re-index is already running."""
        if not self._reindex_lock.acquire(blocking=False):
            return None
        try:
            rep = self._library.refresh(rebuild=rebuild, progress=progress, report=report)
            self._examples = None
            return rep
        finally:
            self._reindex_lock.release()

    def watch(self) -> NotesWatcher | None:
        """Re-index edited notes in the background (every `watch_seconds`; 0 turns it off)."""
        if self.settings.watch_seconds <= 0:
            return None

        def changed() -> None:
            _stderr("노트가 바뀌어 다시 색인합니다 (notes changed, re-indexing)…")
            self._library.start_refresh(report=_stderr, on_done=lambda rep: self._built(rep, _stderr))

        return NotesWatcher(self._library, self.settings.watch_seconds, changed).start()

    def follow_index(self) -> GenerationWatcher | None:
        """Load the new generation whenever another process (another app instance, `python -m
        tutor index`) replaces the index's `CURRENT` (every `watch_seconds`; 0 turns it off)."""
        if self.settings.watch_seconds <= 0:
            return None
        return GenerationWatcher(self._library, self.settings.watch_seconds, report=_stderr).start()

    def warm_quizzes(self) -> None:
        """Make the quiz pool of the live index generation (best effort; quizzes would make it
        on first use)."""
        try:
            self._practice.warm()
        except Exception as exc:
            _stderr(f"경고: 퀴즈 문항을 미리 만들지 못했습니다: {exc}")

    def warm_keyword(self) -> bool:
        """Load the Kiwi model (the first keyword search would otherwise wait for it); True when
        keyword search answers now."""
        return self._warm("keyword", "형태소 분석기")

    def warm_embedder(self) -> bool:
        """Load the embedding model (first semantic/hybrid query would otherwise wait for it), then
        start in a background thread what it still owes this machine (e5fast's path choice after an
        upgrade: questions run on a slower path until it is made); True when semantic search
        answers now (False: no vectors yet, or the load failed)."""
        ready = self._warm("semantic", "임베딩 모델")
        threading.Thread(target=self._library.embedder.settle, name="settle-embedder", daemon=True).start()
        return ready

    def _warm(self, mode: str, what: str) -> bool:
        """One search in `mode` loads what it needs; best effort, a failure is one warning line."""
        if mode not in self._library.live_modes:
            return False
        try:
            self._library.search("준비", mode=mode, k=1)
            return True
        except Exception as exc:  # warm-up is best effort
            _stderr(f"경고: {what} 예열 실패: {exc}")
            return False

    def readiness(self) -> str:
        """What answers now, in words: "키워드 검색 가능 — 의미·하이브리드 검색은 임베딩이 끝나면"."""
        st = self.state
        if st.error:
            return f"색인 오류: {st.error}"
        if "hybrid" in st.live_modes and not st.building:
            return "색인 준비됨 (키워드 검색 가능; 의미·하이브리드 검색은 임베딩 모델을 불러온 뒤)"
        if st.ocr_running:
            return f"{st.ocr_progress} — 인식된 페이지는 바로 검색됩니다"
        if st.live_modes:
            return "색인을 만드는 중 — 키워드 검색 가능, 의미·하이브리드 검색은 임베딩이 끝나면"
        return "색인을 만드는 중 — 검색은 노트를 다 읽은 뒤"

    def close(self) -> None:
        """Close the learning record's connections (the index needs no closing)."""
        self._record.close()

    @property
    def state(self) -> IndexState:
        st = self._library.status
        return IndexState(st.building, st.embedded, st.to_embed, st.fraction, st.error, self._library.live_modes,
                          st.ocr_done, st.ocr_total)

    # -- notes ----------------------------------------------------------------------------
    @property
    def corpus_dir(self) -> Path:
        return self._library.corpus_dir

    @property
    def index_dir(self) -> Path:
        return self._library.index_dir

    def sources(self) -> list[str]:
        return self._library.sources()

    def section_titles(self) -> list[str]:
        try:
            return section_titles(self._library)
        except Exception as exc:
            _stderr(f"경고: 단원 목록을 만들 수 없습니다: {exc}")
            return []

    def note_rows(self) -> list[notes_mod.NoteRow]:
        return notes_mod.list_notes(self._library.corpus_dir, self._library.manifest)

    def index_status(self) -> dict:
        st = notes_mod.index_status(self._library.manifest, self._library.index_dir, self.note_rows())
        st["building"] = self._library.status.building
        st["scanning"] = self.state.ocr_progress  # "스캔 페이지 인식 중 12/80 · …" while scans are read
        st["vectors_pending"] = len(pending_ids(self._library.manifest))  # chunks found by keyword only
        st["auto"] = self.settings.watch_seconds > 0  # the app re-indexes edited notes by itself
        return st

    def notes_version(self) -> str:
        """Changes whenever what 노트 관리 shows may have: the live index generation, a build
        starting or ending, a note file saved (sizes and times only; nothing is read)."""
        lib = self._library
        gen = lib.manifest.get("built_at", "") if lib.live_modes else ""
        files = hash(signature(lib.corpus_dir)) if lib.corpus_dir.is_dir() else 0
        return f"{gen}|{lib.status.building}|{files}|{lib.status.ocr_done}"

    def upload(self, files: Sequence[str | Path] | str | Path | None, overwrite: bool = False) -> list[Upload]:
        if not files:
            return []
        if isinstance(files, (str, Path)):
            files = [files]
        out = []
        for f in files:
            path = f if isinstance(f, (str, Path)) else getattr(f, "name", f)  # Gradio: a temp file object
            shown = Path(str(path)).name
            try:
                out.append(Upload(shown, notes_mod.save_upload(self._library.corpus_dir, path, shown,
                                                               overwrite=overwrite)))
            except notes_mod.UploadError as exc:
                out.append(Upload(shown, None, str(exc)))
        if any(u.saved is not None and not u.saved.unchanged for u in out) and not self._library.status.building:
            # the new notes reach the index now, not at the next look of the watcher
            self._library.start_refresh(report=_stderr, on_done=lambda rep: self._built(rep, _stderr))
        return out

    # -- questions and search -------------------------------------------------------------
    @property
    def mode_label(self) -> str:
        return self._tutor.mode_label

    def example_questions(self, n: int = 4) -> list[str]:
        if self._examples is None:
            try:
                self._examples = list(self._tutor.example_questions(n))[:n]
            except Exception as exc:
                _stderr(f"경고: 예시 질문을 만들 수 없습니다: {exc}")
                self._examples = []
        return self._examples

    def ask(self, question: str, history: Sequence[Turn] | None = None) -> Answer:
        return self._tutor.ask(question, history)

    def ask_ahead(self, questions: Sequence[str]) -> ContextManager[None]:
        """Around a command that answers `questions` and ends: their query vectors are made in a
        forked child meanwhile (`NotesLibrary.embed_ahead`; nothing where it cannot be done)."""
        return self._library.embed_ahead(questions)

    def ask_stream(self, question: str, history: Sequence[Turn] | None = None) -> Iterator[tuple[str, Answer | None]]:
        """Text deltas `(delta, None)`, then `("", Answer)` (see `Tutor.ask_stream`)."""
        return self._tutor.ask_stream(question, history)

    def search(self, query: str, mode: str = "keyword", k: int = 5, source: str | None = None) -> list[Hit]:
        """Hits for `query`; `source` limits them to one file. QueryError for bad input."""
        return self.search_weighed(query, mode, k, source)[0]

    def search_weighed(self, query: str, mode: str = "keyword", k: int = 5,
                       source: str | None = None) -> tuple[list[Hit], Weights | None]:
        """`search`, and the keyword/semantic weights a hybrid search used with where they came
        from ("corpus": measured on these notes when indexed; "default"; "setting":
        STUDY_KEYWORD_WEIGHT); None for keyword and semantic search."""
        check_mode(mode)
        return self._library.search_explained(query, mode=mode, k=max(1, min(int(k), 50)),
                                              sources={source} if source else None)

    def match_spans(self, text: str, query: str) -> list[tuple[int, int]]:
        """Where `query`'s terms occur in `text` (Kiwi morphemes, as the keyword search reads them)."""
        return match_spans(text, query, self._library.tokenizer)

    @staticmethod
    def prepare_query(query: str) -> PreparedQuery:
        """The normalised query (cut to the longest allowed); QueryError when it is empty."""
        return prepare_query(query)
