"""Command line: `python -m tutor index|search|ask|quiz`.

Errors end in one line on stderr and a non-zero exit (2 for bad input), never a traceback
(set STUDY_DEBUG=1 to see one).
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Callable

from retriever import MODES, QueryError, prepare_query
from retriever.highlight import mark, match_spans
from retriever.search import MAX_QUERY_CHARS

from .settings import Settings


class UsageError(Exception):
    """Bad input from the user: exit code 2, one line."""


def _err(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--corpus", type=Path, default=None,
                   help="notes folder (default: $STUDY_CORPUS_DIR or ./corpus)")
    p.add_argument("--index", type=Path, default=None,
                   help="index folder (default: $STUDY_INDEX_DIR or ./index)")
    p.add_argument("--json", action="store_true", help="machine-readable JSON output")


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings.from_env(corpus_dir=args.corpus, index_dir=args.index)


def open_library(settings: Settings, quiet: bool = False):
    """Library brought up to date with the corpus, progress on stderr."""
    lib = settings.make_library()
    rep = lib.refresh(progress=not quiet and sys.stderr.isatty(), report=None if quiet else _err)
    for s in rep.skipped:
        _err(f"경고: 건너뜀 (skipped) {s.path}: {s.reason}")
    if rep.changed and not quiet:
        _err(f"색인 갱신 (index updated): 파일 {rep.files}, 청크 {rep.chunks}, "
             f"임베딩 {rep.embedded}, 재사용 {rep.reused}, 삭제 {rep.removed} ({rep.seconds:.1f}s)")
    return lib, rep


# -- index -----------------------------------------------------------------------------

def cmd_index(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    lib = settings.make_library()
    rep = lib.refresh(rebuild=args.rebuild, progress=True, report=_err)
    for s in rep.skipped:
        _err(f"경고: 건너뜀 (skipped) {s.path}: {s.reason}")
    if args.json:
        print(json.dumps(rep.to_dict(), ensure_ascii=False))
    else:
        state = "갱신됨" if rep.changed else "변경 없음"
        print(f"색인 {state}: 파일 {rep.files}개, 청크 {rep.chunks}개 (임베딩 {rep.embedded}, "
              f"재사용 {rep.reused}, 삭제된 파일 {rep.removed}), {rep.seconds:.2f}초, "
              f"건너뛴 파일 {len(rep.skipped)}개")
    return 0


# -- search ----------------------------------------------------------------------------

def read_queries(args: argparse.Namespace, single: str | None, file: Path | None) -> list[str]:
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
    pq = prepare_query(q)
    if pq.truncated:
        _err(f"경고: 질의가 너무 길어 앞 {MAX_QUERY_CHARS}자만 사용합니다 (query truncated).")
    return pq.text


def _excerpt(text: str, spans: list[tuple[int, int]], width: int = 220) -> tuple[str, list[tuple[int, int]]]:
    start = max(0, spans[0][0] - 60) if spans else 0
    end = min(len(text), start + width)
    inner = [(max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start]
    body = text[start:end]
    return body, inner


def render_hits(query: str, hits, tokenizer, tty: bool) -> str:
    left, right = ("\033[1;33m", "\033[0m") if tty else ("«", "»")
    lines = [f"🔎 {query}  —  결과 {len(hits)}건"]
    if not hits:
        lines.append("  (일치하는 노트가 없습니다)")
    for h in hits:
        spans = match_spans(h.text, query, tokenizer)
        body, inner = _excerpt(h.text, spans)
        excerpt = " ".join(mark(body, inner, left, right).split())
        lines.append(f"[{h.rank}] {h.source}:{h.lines[0]}-{h.lines[1]}  (점수 {h.score:.3f})")
        lines.append(f"    {h.heading}")
        lines.append(f"    {excerpt}…")
    return "\n".join(lines)


def cmd_search(args: argparse.Namespace) -> int:
    queries = read_queries(args, args.query, args.queries)
    lib, _ = open_library(settings_from(args))
    tty = sys.stdout.isatty()
    status = 0
    for q in queries:
        try:
            text = checked_query(q)
            hits = lib.search(text, mode=args.mode, k=args.top_k)
        except QueryError as exc:
            _err(f"오류: {exc}")
            status = 2
            continue
        if args.json:
            print(json.dumps({"query": text, "mode": args.mode, "hits": [h.to_dict() for h in hits]},
                             ensure_ascii=False), flush=True)
        else:
            print(render_hits(text, hits, lib.tokenizer, tty), flush=True)
    return status


# -- wiring ----------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tutor",
                                     description="한국어 노트 학습 도우미 (study assistant for Korean notes)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="노트 색인 만들기/갱신 (build or update the index)")
    _common(p)
    p.add_argument("--rebuild", action="store_true", help="처음부터 다시 만들기")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("search", help="노트 검색 (search the notes)")
    _common(p)
    p.add_argument("query", nargs="?", help="검색어")
    p.add_argument("--queries", type=Path, help="한 줄에 하나씩 검색어가 든 파일")
    p.add_argument("--mode", choices=MODES, default="hybrid")
    p.add_argument("--top-k", type=int, default=5)
    p.set_defaults(func=cmd_search)

    for register in EXTRA_COMMANDS:
        register(sub, _common)
    return parser


# Other modules add sub-commands here: register(subparsers, add_common_options).
EXTRA_COMMANDS: list[Callable] = []


def _load_extra_commands() -> None:
    for mod in ("tutor.cli_tutor",):
        try:
            __import__(mod)
        except ModuleNotFoundError as exc:
            if exc.name != mod:
                raise


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.ERROR, format="%(message)s")
    _load_extra_commands()
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "top_k", 1) is not None and getattr(args, "top_k", 1) < 1:
        _err("오류: --top-k 는 1 이상이어야 합니다.")
        return 2
    try:
        return int(args.func(args) or 0)
    except UsageError as exc:
        _err(f"오류: {exc}")
        return 2
    except KeyboardInterrupt:
        _err("중단됨 (interrupted)")
        return 130
    except Exception as exc:  # the one place that turns failures into one line
        if os.environ.get("STUDY_DEBUG"):
            raise
        _err(f"오류: {type(exc).__name__}: {exc}")
        return 1
