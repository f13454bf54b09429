"""`index`: build or update the index of the notes."""
from __future__ import annotations

import argparse
import json

from studyapp import index_headline, skipped_lines

from .common import add_common, err, open_app


def register(sub) -> None:
    p = sub.add_parser("index", help="노트 색인 만들기/갱신 (build or update the index)")
    add_common(p)
    p.add_argument("--rebuild", action="store_true", help="처음부터 다시 만들기")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    rep = open_app(args, dense=None).reindex(rebuild=args.rebuild, report=err, progress=True)
    assert rep is not None  # nothing else re-indexes in this process
    for line in skipped_lines(rep):
        err(line)
    if args.json:
        print(json.dumps(rep.to_dict(), ensure_ascii=False))
    else:
        print(index_headline(rep, done="색인 갱신됨"))
    return 0
