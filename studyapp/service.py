"""`StudyApp`: the one shared library, tutor and notes folder behind every browser session
and API call — searches, quizzes, exports, uploads and re-indexing, with their locks.

It returns plain values (hits, quizzes, sessions, reports); the web interface renders them.
"""
from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from retriever import BuildReport, Hit, QueryError, check_mode
from tutor.quiz import make_quiz, section_titles
from tutor.types import QUIZ_KINDS, Quiz

from . import notes as notes_mod
from .build import Services, build
from .drills import Drills
from .exports import ExportFolder
from .quiz_session import QuizSession
from .reports import build_headline, skipped_lines
from .settings import Settings
from .watch import NotesWatcher

Report = Callable[[str], None]


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Upload:
    """One uploaded file: its shown name and what became of it."""

    name: str
    saved: notes_mod.SavedNote | None
    error: str = ""


class StudyApp:
    def __init__(self, settings: Settings | Services) -> None:
        self.services = settings if isinstance(settings, Services) else build(settings)
        self.settings = self.services.settings
        self.library = self.services.library
        self.tutor = self.services.tutor
        self.exports = ExportFolder()
        self.study = self.services.study
        self.drills = Drills(self.study, self.library, self.services.llm, self.exports)
        self._reindex_lock = threading.Lock()
        self._examples: list[str] | None = None

    def user_of(self, username: str | None) -> str:
        """Whose record a request reads and writes: the logged-in user, else `STUDY_USER`/local."""
        return (username or "").strip() or self.settings.user

    # -- start-up -----------------------------------------------------------------------
    def open(self, report: Report = _stderr, warm: bool = True, background: bool = True) -> float:
        """Load the index when current; else build it — in the background by default, returning
        as soon as keyword search works (semantic and hybrid follow when the vectors are done).
        Seconds taken."""
        t0 = time.perf_counter()
        if self.library.open_current():
            report(f"색인을 불러왔습니다 (index loaded): {self.library.index_dir}")
        elif background:
            report("색인을 만드는 중입니다: 키워드 검색부터 되고, 의미·하이브리드 검색은 임베딩이 끝나면 켜집니다.")
            # no tqdm bar here: Gradio patches tqdm, and a bar outside its events breaks it;
            # the page shows the build's progress instead
            self.library.start_refresh(report=report, on_done=lambda rep: self._built(rep, report))
            self.library.wait_serving()
            if self.library.status.error:
                raise RuntimeError(self.library.status.error)
        else:
            self._built(self.library.refresh(progress=True, report=report), report)
        if warm and self.library.live_modes:  # load Kiwi now so the first search does not pay for it
            self.library.search("준비", mode="keyword", k=1)
        return time.perf_counter() - t0

    def _built(self, rep: BuildReport, report: Report) -> None:
        for line in skipped_lines(rep):
            report(line)
        report(build_headline(rep, done="색인 준비 완료", unchanged="색인 준비 완료"))
        self._examples = None

    def watch(self) -> NotesWatcher | None:
        """Re-index edited notes in the background (every `watch_seconds`; 0 turns it off)."""
        if self.settings.watch_seconds <= 0:
            return None

        def changed() -> None:
            _stderr("노트가 바뀌어 다시 색인합니다 (notes changed, re-indexing)…")
            self.library.start_refresh(report=_stderr, on_done=lambda rep: self._built(rep, _stderr))

        return NotesWatcher(self.library, self.settings.watch_seconds, changed).start()

    def warm_embedder(self) -> None:
        """Load the embedding model (first semantic/hybrid query would otherwise wait for it)."""
        try:
            self.library.search("준비", mode="semantic", k=1)
        except Exception as exc:  # warm-up is best effort
            _stderr(f"경고: 임베딩 모델 예열 실패: {exc}")

    # -- the tutor ----------------------------------------------------------------------
    @property
    def mode_label(self) -> str:
        return self.tutor.mode_label

    def example_questions(self, n: int = 4) -> list[str]:
        if self._examples is None:
            try:
                self._examples = list(self.tutor.example_questions(n))[:n]
            except Exception as exc:
                _stderr(f"경고: 예시 질문을 만들 수 없습니다: {exc}")
                self._examples = []
        return self._examples

    # -- search -------------------------------------------------------------------------
    def sources(self) -> list[str]:
        return self.library.sources()

    def search(self, query: str, mode: str = "keyword", k: int = 5, source: str | None = None) -> list[Hit]:
        """Hits for `query`; `source` limits them to one file. QueryError for bad input."""
        check_mode(mode)
        return self.library.search(query, mode=mode, k=max(1, min(int(k), 50)),
                                   sources={source} if source else None)

    # -- quizzes ------------------------------------------------------------------------
    def section_titles(self) -> list[str]:
        try:
            return section_titles(self.library)
        except Exception as exc:
            _stderr(f"경고: 단원 목록을 만들 수 없습니다: {exc}")
            return []

    def make_quiz(self, topic: str | None = None, n: int = 5, kinds: Sequence[str] | None = None,
                  seed: int = 0) -> Quiz:
        bad = [k for k in (kinds or []) if k not in QUIZ_KINDS]
        if bad:
            raise QueryError(f"알 수 없는 문항 유형: {', '.join(bad)} ({', '.join(QUIZ_KINDS)} 중에서)")
        topic = (topic or "").strip() or None
        return make_quiz(self.library, n=max(1, min(int(n), 30)), topic=topic, seed=int(seed),
                         kinds=list(kinds or []) or None, llm=self.services.llm)

    def export(self, s: QuizSession, fmt: str) -> str | None:
        """Write the session's items as CSV or an Anki deck; the file's path (None if no quiz)."""
        return str(self.exports.write(s.items, fmt)) if s.items else None

    # -- notes --------------------------------------------------------------------------
    def note_rows(self) -> list[notes_mod.NoteRow]:
        return notes_mod.list_notes(self.library.corpus_dir, self.library.manifest)

    def index_status(self) -> dict:
        return notes_mod.index_status(self.library.manifest, self.library.index_dir, self.note_rows())

    def upload(self, files: Sequence[str | Path] | str | Path | None, overwrite: bool = False) -> list[Upload]:
        if not files:
            return []
        if isinstance(files, (str, Path)):
            files = [files]
        out = []
        for f in files:
            path = getattr(f, "name", f)
            shown = Path(str(path)).name
            try:
                out.append(Upload(shown, notes_mod.save_upload(self.library.corpus_dir, path, shown,
                                                               overwrite=overwrite)))
            except notes_mod.UploadError as exc:
                out.append(Upload(shown, None, str(exc)))
        return out

    def reindex(self, rebuild: bool = False, report: Report | None = None) -> BuildReport | None:
        """Bring the index up to date; None when a re-index is already running."""
        if not self._reindex_lock.acquire(blocking=False):
            return None
        try:
            def say(msg: str) -> None:
                _stderr(msg)
                if report:
                    report(msg)

            rep = self.library.refresh(rebuild=rebuild, progress=True, report=say)
            self._examples = None
            return rep
        finally:
            self._reindex_lock.release()
