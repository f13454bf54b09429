"""`search`: keyword, semantic or hybrid search, as text or JSON lines."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from typing import Callable

from studyapp import MODES, Hit, QueryError, Weights, excerpt_window, location, mark, strip_marks

from .common import add_common, checked_query, err, open_app, read_queries

EXCERPT_WIDTH, EXCERPT_LEAD = 220, 60


def register(sub) -> None:
    p = sub.add_parser("search", help="노트 검색 (search the notes)")
    add_common(p)
    p.add_argument("query", nargs="?", help="검색어")
    p.add_argument("--queries", type=Path, help="한 줄에 하나씩 검색어가 든 파일")
    p.add_argument("--mode", choices=MODES, default="hybrid")
    p.add_argument("--top-k", type=int, default=5)
    p.set_defaults(func=run)


def render_hits(query: str, hits: list[Hit], spans_of: Callable[[str, str], list[tuple[int, int]]],
                tty: bool) -> str:
    """The hits as terminal text; `spans_of(text, query)` says where the query's terms are."""
    left, right = ("\033[1;33m", "\033[0m") if tty else ("«", "»")
    lines = [f"🔎 {query}  —  결과 {len(hits)}건"]
    if not hits:
        lines.append("  (일치하는 노트가 없습니다)")
    for h in hits:
        text = strip_marks(h.text)  # the words, not the notes' Markdown marks
        spans = spans_of(text, query)
        body, inner, _, _ = excerpt_window(text, spans, EXCERPT_WIDTH, EXCERPT_LEAD)
        excerpt = " ".join(mark(body, inner, left, right).split())
        lines.append(f"[{h.rank}] {location(h.source, h.lines, h.page, h.ocr)}  (점수 {h.score:.3f})")
        lines.append(f"    {h.heading}")
        lines.append(f"    {excerpt}…")
    return "\n".join(lines)


WEIGHT_SOURCES = {"corpus": "이 노트에서 측정", "default": "기본값", "setting": "STUDY_KEYWORD_WEIGHT"}


def weights_line(w: Weights) -> str:
    """Which fusion weights a hybrid search used, in one line."""
    return (f"  (가중치: 키워드 {w.keyword:.2f} · 의미 {w.semantic:.2f} — {WEIGHT_SOURCES.get(w.source, w.source)}, "
            f"범위 {w.range[0]:.2f}–{w.range[1]:.2f})")


def run(args: argparse.Namespace) -> int:
    queries = read_queries(args.query, args.queries)
    app = open_app(args, dense=args.mode != "keyword")
    tty = sys.stdout.isatty()
    status = 0
    for q in queries:
        try:
            text = checked_query(q)
            hits, weights = app.search_weighed(text, mode=args.mode, k=args.top_k)
        except QueryError as exc:
            err(f"오류: {exc}")
            status = 2
            continue
        if args.json:
            print(json.dumps({"query": text, "mode": args.mode, "hits": [h.to_dict() for h in hits],
                              "fusion": weights.to_dict() if weights else None},
                             ensure_ascii=False), flush=True)
        else:
            print(render_hits(text, hits, app.match_spans, tty), flush=True)
            if weights is not None:
                print(weights_line(weights), flush=True)
    return status
