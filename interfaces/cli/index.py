"""`index`: build or update the index of the notes."""
from __future__ import annotations

import argparse
import json

from studyapp.build import build
from studyapp.reports import build_headline, skipped_lines

from .common import add_common, err, settings_from


def register(sub) -> None:
    p = sub.add_parser("index", help="노트 색인 만들기/갱신 (build or update the index)")
    add_common(p)
    p.add_argument("--rebuild", action="store_true", help="처음부터 다시 만들기")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    library = build(settings_from(args)).library
    rep = library.refresh(rebuild=args.rebuild, progress=True, report=err)
    for line in skipped_lines(rep):
        err(line)
    if args.json:
        print(json.dumps(rep.to_dict(), ensure_ascii=False))
    else:
        print(build_headline(rep, done="색인 갱신됨"))
    return 0
