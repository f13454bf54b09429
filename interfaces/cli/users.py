"""`users`: the class's accounts in the learning record — add, list, passwd, remove, import.

Passwords never come from the command line (they would be in the shell history and in `ps`):
`--password-file F` (its first line), `--password-stdin`, or a prompt (twice, not echoed).
Hashed with Argon2id before they reach the database; never printed.
"""
from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

from studyapp import MIN_PASSWORD_CHARS, ROLES, Account

from .common import UsageError, add_record_options, err, open_learner


def register(sub) -> None:
    p = sub.add_parser("users", help="계정 관리 (accounts: add, list, passwd, remove, import)")
    verbs = p.add_subparsers(dest="users_command", required=True)
    add = verbs.add_parser("add", help="계정 만들기")
    add.add_argument("name", help="사용자 이름 (글자·숫자·. _ - @, 64자 이하)")
    add.add_argument("--teacher", action="store_true", help="교사 계정 (기본: 학습자)")
    _password_options(add)
    ls = verbs.add_parser("list", help="계정 목록")
    ls.add_argument("--json", action="store_true", help="JSON으로")
    pw = verbs.add_parser("passwd", help="비밀번호 바꾸기")
    pw.add_argument("name")
    _password_options(pw)
    rm = verbs.add_parser("remove", help="계정 지우기 (학습 기록은 남음)")
    rm.add_argument("name")
    rm.add_argument("--purge", action="store_true", help="학습 기록(답·카드·설정·모의고사)도 지우기")
    imp = verbs.add_parser("import", help="명단 CSV 가져오기: name,password[,role] (한 줄이라도 틀리면 아무것도 안 함)")
    imp.add_argument("file", type=Path)
    for q in (add, ls, pw, rm, imp):
        add_record_options(q)
        q.set_defaults(func=run, corpus=None, index=None)


def _password_options(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--password-file", type=Path, default=None, help="비밀번호가 첫 줄에 있는 파일")
    g.add_argument("--password-stdin", action="store_true", help="표준 입력의 첫 줄을 비밀번호로")


def read_password(args: argparse.Namespace) -> str:
    """The new password from --password-file, --password-stdin or a prompt (asked twice)."""
    if args.password_file is not None:
        try:
            lines = args.password_file.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"비밀번호 파일을 읽을 수 없습니다 ({args.password_file}): {type(exc).__name__}") from None
        return lines[0] if lines else ""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise UsageError("비밀번호를 --password-file F 또는 --password-stdin 으로 주세요 (no terminal to ask)")
    first = getpass.getpass(f"새 비밀번호 ({MIN_PASSWORD_CHARS}자 이상): ")
    if getpass.getpass("한 번 더: ") != first:
        raise UsageError("두 비밀번호가 다릅니다 (passwords differ); 아무것도 바꾸지 않았습니다.")
    return first


def _print_accounts(accounts: tuple[Account, ...]) -> None:
    if not accounts:
        print("계정이 없습니다 (users add NAME 또는 users import FILE.csv).")
    for a in accounts:
        print(f"{a.name:24s} {'교사' if a.role == 'teacher' else '학습자':4s}  만든 날 {a.created_at:%Y-%m-%d}")


def run(args: argparse.Namespace) -> int:
    verb = args.users_command
    if verb == "import":
        try:
            text = args.file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"명단 파일을 읽을 수 없습니다 ({args.file}): {type(exc).__name__}: {exc}") from None
    password = read_password(args) if verb in ("add", "passwd") else None
    app, _ = open_learner(args, sync=False)
    if verb == "add":
        a = app.add_user(args.name, password or "", ROLES[1] if args.teacher else ROLES[0])
        err(f"계정을 만들었습니다: {a.name} ({'교사' if a.role == 'teacher' else '학습자'})")
    elif verb == "list":
        accounts = app.users()
        if args.json:
            print(json.dumps([a.to_dict() for a in accounts], ensure_ascii=False))
        else:
            _print_accounts(accounts)
    elif verb == "passwd":
        app.set_password(args.name, password or "")
        err(f"비밀번호를 바꿨습니다: {args.name}")
    elif verb == "remove":
        app.remove_user(args.name, purge=args.purge)
        err(f"계정을 지웠습니다: {args.name}" + (" (학습 기록도 지움)" if args.purge else " (학습 기록은 남아 있습니다)"))
    else:
        done = app.import_users(text)
        teachers = sum(a.role == "teacher" for a in done)
        err(f"{len(done)}개 계정을 가져왔습니다 (학습자 {len(done) - teachers}, 교사 {teachers}): {args.file}")
    return 0
