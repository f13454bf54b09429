"""The command table and the one place that turns failures into a one-line message.

Errors end in one line on stderr and a non-zero exit (2 for bad input), never a traceback
(set STUDY_DEBUG=1 to see one).
"""
from __future__ import annotations

import argparse
import importlib
import logging
import sys
from typing import Sequence

# Light on purpose: `ask` forks its Kiwi helper before the app's modules are imported (the
# command's module, `.common` and `studyapp`'s names are imported in `_run`).
from studyapp import kiwi_ahead

# The module of each sub-command, in the help's order: a command imports only its own module,
# so `ask` never loads what `exam` or `users` need (the learning record, SQLAlchemy) just to
# build the parser.
COMMAND_MODULES = {"index": "index", "search": "search", "ask": "ask", "quiz": "quiz", "grade": "grade",
                   "review": "study", "wrong": "study", "progress": "study", "plan": "plan", "exam": "exam",
                   "optimize": "optimize", "guide": "guide", "users": "users", "class": "klass", "serve": "serve"}
# Commands that tokenise at once: Kiwi loads in a forked helper while the command imports
# (`kiwi_ahead`; issue 24: `ask` ≤ 3 s).
KIWI_FIRST = frozenset({"ask"})
# Each module's `register` adds its sub-parsers (and sets `func`) — the whole command line, in order.
MODULES = tuple(dict.fromkeys(COMMAND_MODULES.values()))


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line; with `command`, only that sub-command (the same parser for it)."""
    parser = argparse.ArgumentParser(prog="python -m tutor",
                                     description="한국어 노트 학습 도우미 (study assistant for Korean notes)")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in MODULES if command not in COMMAND_MODULES else (COMMAND_MODULES[command],):
        importlib.import_module(f".{name}", __package__).register(sub)
    return parser


def _command(argv: Sequence[str] | None) -> str | None:
    """The sub-command named first on the command line; None (the whole table) for anything
    else — `--help`, a typo, nothing — so argparse lists every command as before."""
    args = sys.argv[1:] if argv is None else list(argv)
    return args[0] if args and args[0] in COMMAND_MODULES else None


def main(argv: list[str] | None = None) -> int:
    command = _command(argv)
    with kiwi_ahead(command in KIWI_FIRST):
        return _run(argv, command)


def _run(argv: list[str] | None, command: str | None) -> int:
    from studyapp import RecordError, Settings, SettingsError

    from .common import UsageError, err

    logging.basicConfig(level=logging.ERROR, format="%(message)s")
    args = build_parser(command).parse_args(argv)
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
        from studyapp import BAD_INPUT

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
