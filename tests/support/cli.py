"""`python -m tutor …` run inside the test process: the same `interfaces.cli.main(argv)` that
`python -m tutor` calls, with the call's environment, working folder, standard input and
output set for it and put back afterwards, and the result shaped like `subprocess.run`'s.

Why: a CLI process spends ~2–3 s of CPU importing and loading before it does anything (the
e2e lane ran ~140 of them); in one process the imports and the model are paid once. What a
process adds — `sys.exit(main())` and the interpreter's start — is still walked by the
subprocess tests kept in `tests/e2e/test_cli_processes.py` (the same output both ways) and
test_cli_record.py (the walk-through on PostgreSQL, an unreachable database).
"""
from __future__ import annotations

import contextlib
import io
import logging
import os
import subprocess
import sys
from pathlib import Path


@contextlib.contextmanager
def _environment(env: dict[str, str], cwd: Path | str):
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)


@contextlib.contextmanager
def _fresh_root_logger():
    """`main` calls `logging.basicConfig`, which does nothing while pytest's handlers sit on the
    root logger: without them the command's log lines reach its (redirected) stderr as in a process."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    root.handlers = []
    try:
        yield
    finally:
        for h in root.handlers:
            h.close()
        root.handlers, root.level = saved[0], saved[1]


def run_cli(args: list[str], env: dict[str, str], cwd: Path | str,
            input: str | None = None) -> subprocess.CompletedProcess:
    """Run one command line in this process; returncode, stdout and stderr as a process gives them."""
    from interfaces.cli import main  # imported on first use: collecting tests loads nothing

    out, err = io.StringIO(), io.StringIO()
    saved_stdin = sys.stdin
    sys.stdin = io.StringIO(input or "")
    try:
        with _environment(env, cwd), _fresh_root_logger(), \
                contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse's usage errors and --help
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
                if exc.code is not None and not isinstance(exc.code, int):
                    print(exc.code, file=sys.stderr)
    finally:
        sys.stdin = saved_stdin
    return subprocess.CompletedProcess(["python", "-m", "tutor", *args], int(code or 0),
                                       out.getvalue(), err.getvalue())
