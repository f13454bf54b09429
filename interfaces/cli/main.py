"""The command table and the one place that turns failures into a one-line message.

Errors end in one line on stderr and a non-zero exit (2 for bad input), never a traceback
(set STUDY_DEBUG=1 to see one).
"""
from __future__ import annotations

import argparse
import logging

from studyapp import BAD_INPUT, RecordError, Settings, SettingsError

from . import ask, exam, grade, guide, index, klass, optimize, plan, quiz, search, serve, study, users
from .common import UsageError, err

# Each entry adds its sub-parsers (and sets `func`) — the whole command line, in order.
COMMANDS = (index.register, search.register, ask.register, quiz.register, grade.register, study.register,
            plan.register, exam.register, optimize.register, guide.register, users.register, klass.register,
            serve.register)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tutor",
                                     description="한국어 노트 학습 도우미 (study assistant for Korean notes)")
    sub = parser.add_subparsers(dest="command", required=True)
    for register in COMMANDS:
        register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.ERROR, format="%(message)s")
    args = build_parser().parse_args(argv)
    if getattr(args, "top_k", 1) is not None and getattr(args, "top_k", 1) < 1:
        err("오류: --top-k 는 1 이상이어야 합니다.")
        return 2
    try:
        args.settings = Settings.from_env()  # read once; the options below override it
    except SettingsError as exc:
        err(f"오류: {exc}")
        return 2
    try:
        status = int(args.func(args) or 0)
        app = getattr(args, "app", None)
        if app is not None and app.building_left():  # the answer is out; the index finishes
            err("의미·하이브리드 검색용 임베딩을 마저 끝냅니다 (finishing the index)…")
            app.finish()
        return status
    except UsageError as exc:
        err(f"오류: {exc}")
        return 2
    except RecordError as exc:  # the learning record: bad input (2) or the database (1)
        err(f"오류: {exc}")
        return 2 if isinstance(exc, BAD_INPUT) else 1
    except KeyboardInterrupt:
        err("중단됨 (interrupted)")
        return 130
    except Exception as exc:  # the one place that turns failures into one line
        if args.settings.debug:
            raise
        err(f"오류: {type(exc).__name__}: {exc}")
        return 1
