"""`guide`: the 단원 요약 (study guide) of the notes — on the terminal, as JSON, or written to a
Markdown, HTML or A4 PDF file; with `--user`, each section's 자주 틀린 문항 from their 오답 노트."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from studyapp import GUIDE_FORMATS, GuideError, UnknownSection

from .common import UsageError, add_common, add_record_options, open_learner, plain


def register(sub) -> None:
    p = sub.add_parser("guide", help="단원 요약 (study guide per section)")
    add_common(p)
    add_record_options(p)
    p.add_argument("--section", default=None, help="이 글자가 제목에 든 단원만 (번호도 됨)")
    p.add_argument("--format", default="md", choices=GUIDE_FORMATS, help="md (기본), html, pdf")
    p.add_argument("--out", type=Path, default=None, help="쓸 파일 (pdf는 필수)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.format == "pdf" and args.out is None and not args.json:
        raise UsageError("PDF는 --out 파일로만 씁니다 (예: --out 요약.pdf).")
    app, user = open_learner(args)
    try:
        guide = app.guide(user, args.section)
    except UnknownSection as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print(json.dumps(guide.to_dict(), ensure_ascii=False), flush=True)
        return 0
    try:
        if args.out is not None:
            path = app.write_guide(guide, args.format, args.out)
            print(f"단원 요약을 썼습니다: {path} ({len(guide.sections)}개 단원)")
        else:
            text = app.guide_text(guide, args.format)
            print(plain(text) if args.format == "md" else text, end="")
    except GuideError as exc:
        raise UsageError(str(exc)) from None
    return 0
