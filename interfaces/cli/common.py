"""What every sub-command shares: the error type, stderr lines, options, opening the notes."""
from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from retriever import QueryError, prepare_query
from retriever.search import MAX_QUERY_CHARS
from studyapp.build import Services, build
from studyapp.reports import build_headline, skipped_lines
from studyapp.settings import Settings


class UsageError(Exception):
    """Bad input from the user: exit code 2, one line."""


def err(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--corpus", type=Path, default=None,
                   help="notes folder (default: $STUDY_CORPUS_DIR or ./corpus)")
    p.add_argument("--index", type=Path, default=None,
                   help="index folder (default: $STUDY_INDEX_DIR or ./index)")
    p.add_argument("--json", action="store_true", help="machine-readable JSON output")


def settings_from(args: argparse.Namespace) -> Settings:
    """The settings read at start-up, with --corpus / --index applied."""
    base: Settings = getattr(args, "settings", None) or Settings.from_env()
    return replace(base, corpus_dir=args.corpus or base.corpus_dir, index_dir=args.index or base.index_dir)


def open_services(args: argparse.Namespace, quiet: bool = False, settings: Settings | None = None,
                  need_dense: bool = True) -> Services:
    """The app's services with the index brought up to date with the notes (progress on stderr).

    Without `need_dense` (keyword search, template answers, quizzes) a build that has to embed
    runs in the background and the command goes on as soon as keyword search works; `main`
    lets that build finish before the process ends, so the next run finds the whole index."""
    services = build(settings or settings_from(args))
    lib = services.library

    def done(rep) -> None:
        for line in skipped_lines(rep):
            err(line)
        if rep.changed and not quiet:
            err(build_headline(rep, done="색인 갱신 (index updated)"))

    if need_dense:
        done(lib.refresh(progress=not quiet and sys.stderr.isatty(), report=None if quiet else err))
        return services
    if lib.open_current():
        return services
    args.pending_build = lib.start_refresh(report=None if quiet else err, on_done=done)
    lib.wait_serving()
    if lib.status.error:
        raise RuntimeError(lib.status.error)
    return services


def add_record_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--user", default=None, help="학습자 (default: $STUDY_USER or local)")
    p.add_argument("--database", default=None,
                   help="학습 기록 DB URL (default: $STUDY_DATABASE_URL or sqlite:///$STUDY_DATA_DIR/study.db)")


def open_study(args: argparse.Namespace, refresh: bool = True) -> tuple[Services, str]:
    """The services with the learning record opened (so a database that cannot be reached
    fails before anything is written) and the user the command acts for."""
    settings = settings_from(args)
    if getattr(args, "database", None):
        settings = replace(settings, database_url=args.database)
    services = open_services(args, settings=settings, need_dense=False) if refresh else build(settings)
    notice = services.study.notice
    if notice:
        err(notice)
    return services, (getattr(args, "user", None) or settings.user)


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
        prepare_query(single)
    except QueryError as exc:
        raise UsageError(str(exc)) from None
    return [single]


def checked_query(q: str) -> str:
    """The normalised query; a warning on stderr when it had to be cut."""
    pq = prepare_query(q)
    if pq.truncated:
        err(f"경고: 질의가 너무 길어 앞 {MAX_QUERY_CHARS}자만 사용합니다 (query truncated).")
    return pq.text
