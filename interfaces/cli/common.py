"""What every sub-command shares: the error type, stderr lines, options, opening the app, and
how text reaches the terminal: plain text without Markdown marks (`plain`, `LinePrinter`) —
the one choice for every command (no `**`, `###` or fences in a terminal; a pipe gets the
same text)."""
from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from studyapp import MAX_QUERY_CHARS, QueryError, Settings, StudyApp, strip_marks


class UsageError(Exception):
    """Bad input from the user: exit code 2, one line."""


def err(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def plain(text: str) -> str:
    """Text for the terminal: the notes' and the answers' Markdown marks removed."""
    return strip_marks(text)


class LinePrinter:
    """Streamed text printed a line at a time without its marks (a `**` split between two
    deltas is still one mark); `close()` prints what is left."""

    def __init__(self, file=None) -> None:
        self.file = file or sys.stdout
        self.buf = ""

    def feed(self, delta: str) -> None:
        self.buf += delta
        *lines, self.buf = self.buf.split("\n")
        for line in lines:
            print(plain(line), file=self.file, flush=True)

    def close(self) -> None:
        if self.buf:
            print(plain(self.buf), file=self.file, flush=True)
        self.buf = ""


def add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--corpus", type=Path, default=None,
                   help="notes folder (default: $STUDY_CORPUS_DIR or ./corpus)")
    p.add_argument("--index", type=Path, default=None,
                   help="index folder (default: $STUDY_INDEX_DIR or ./index)")
    p.add_argument("--json", action="store_true", help="machine-readable JSON output")


def add_record_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--user", default=None, help="학습자 (default: $STUDY_USER or local)")
    p.add_argument("--database", default=None,
                   help="학습 기록 DB URL (default: $STUDY_DATABASE_URL or sqlite:///$STUDY_DATA_DIR/study.db)")


def settings_from(args: argparse.Namespace) -> Settings:
    """The settings read at start-up, with --corpus / --index / --database applied."""
    base: Settings = getattr(args, "settings", None) or Settings.from_env()
    s = replace(base, corpus_dir=args.corpus or base.corpus_dir, index_dir=args.index or base.index_dir)
    return replace(s, database_url=args.database) if getattr(args, "database", None) else s


def open_app(args: argparse.Namespace, dense: bool | None = True, quiet: bool = False) -> StudyApp:
    """The application for this command, its index brought up to date with the notes
    (`dense`: wait for the vectors too; False: go on once keyword search works and let the build
    finish before the process ends; None: do not touch the index). The app is kept in
    `args.app` so that `main` can wait for a build left running."""
    app = StudyApp(settings_from(args))
    args.app = app
    if dense is not None:
        app.sync_index(dense=dense, report=None if quiet else err, progress=dense and not quiet and sys.stderr.isatty())
    return app


def open_learner(args: argparse.Namespace, sync: bool = True) -> tuple[StudyApp, str]:
    """The app with the learning record opened (so a database that cannot be reached fails
    before anything is written) and the user the command acts for."""
    app = open_app(args, dense=False if sync else None)
    notice = app.record_notice
    if notice:
        err(notice)
    return app, (getattr(args, "user", None) or app.settings.user)


def read_queries(single: str | None, file: Path | None) -> list[str]:
    """The query given on the command line, or one per line of FILE."""
    if file is not None:
        try:
            raw = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"질문 파일을 읽을 수 없습니다 (cannot read {file}): {exc}") from None
        items = [line.strip() for line in raw.splitlines() if line.strip()]
        if not items:
            raise UsageError(f"질문 파일이 비어 있습니다 (no queries in {file}).")
        return items
    if single is None:
        raise UsageError("검색어를 주거나 --queries FILE 을 쓰세요 (give a query or --queries FILE).")
    try:
        StudyApp.prepare_query(single)
    except QueryError as exc:
        raise UsageError(str(exc)) from None
    return [single]


def checked_query(q: str) -> str:
    """The normalised query; a warning on stderr when it had to be cut."""
    pq = StudyApp.prepare_query(q)
    if pq.truncated:
        err(f"경고: 질의가 너무 길어 앞 {MAX_QUERY_CHARS}자만 사용합니다 (query truncated).")
    return pq.text


def export_format(fmt: str | None, out: str | None) -> str | None:
    """The export format from --format or --out's suffix (.csv / .apkg); UsageError when unclear."""
    if fmt and not out:
        raise UsageError("--format 에는 --out FILE 이 필요합니다.")
    if out and not fmt:
        fmt = {".csv": "csv", ".apkg": "anki"}.get(Path(out).suffix.lower())
        if fmt is None:
            raise UsageError("--out 파일 형식을 알 수 없습니다: --format csv|anki 를 주세요.")
    return fmt
