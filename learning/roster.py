"""Account names, roles and a class roster file, checked before anything is written (pure).

A roster is CSV, `name,password[,role]` a line (UTF-8, with or without a BOM; an optional
header line `name,password,role`; blank lines and `#` comments skipped). Every line is checked
— name, password rules, role, a name repeated in the file — and the first bad one is reported
with its line number (`줄 N: …`) before anything is imported; the password is never repeated
in a message.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from .errors import InvalidInput
from .passwords import check_password

ROLES = ("learner", "teacher")
ROLE_WORDS = {"learner": "learner", "student": "learner", "학습자": "learner", "학생": "learner",
              "teacher": "teacher", "교사": "teacher", "선생님": "teacher"}
NAME_RE = re.compile(r"^[\w.@-]{1,64}$")  # \w is Unicode: Hangul names are fine
HEADER_NAMES = ("name", "username", "user", "이름", "아이디")


@dataclass(frozen=True)
class RosterRow:
    line: int
    name: str
    password: str = field(repr=False)  # never in a repr, a log line or an error
    role: str = "learner"


def check_name(name: object) -> str:
    """An account name: 1–64 letters (Hangul too), digits, `.`, `_`, `-`, `@` (trimmed)."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput("사용자 이름이 비어 있습니다 (empty user name)")
    name = name.strip()
    if not NAME_RE.match(name):
        raise InvalidInput(f"사용자 이름은 글자·숫자·. _ - @ 로 64자 이하여야 합니다 (bad user name): {name[:40]!r}")
    return name


def check_role(role: object) -> str:
    """`learner` or `teacher` (also 학습자/학생, 교사/선생님; case and spaces ignored)."""
    key = str(role or "").strip().lower()
    if key not in ROLE_WORDS:
        raise InvalidInput(f"역할은 learner 또는 teacher 여야 합니다 (role): {str(role)[:20]!r}")
    return ROLE_WORDS[key]


def _row(line: int, cells: list[str]) -> RosterRow:
    if len(cells) not in (2, 3):
        raise InvalidInput(f"줄 {line}: name,password[,role] 형식이어야 합니다 (칸 {len(cells)}개)")
    try:
        name = check_name(cells[0])
        password = check_password(cells[1])
        role = check_role(cells[2]) if len(cells) == 3 and cells[2].strip() else "learner"
    except InvalidInput as exc:
        raise InvalidInput(f"줄 {line}: {exc}") from None
    return RosterRow(line, name, password, role)


def parse_roster(text: str) -> tuple[RosterRow, ...]:
    """Every account of a roster, in order; `InvalidInput` naming the first bad line."""
    rows: list[RosterRow] = []
    seen: dict[str, int] = {}
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    first = True
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InvalidInput(f"줄 {reader.line_num}: CSV를 읽을 수 없습니다 ({exc})") from None
        line = reader.line_num
        if not cells or not "".join(cells).strip() or cells[0].lstrip().startswith("#"):
            continue
        if first and cells[0].strip().lower() in HEADER_NAMES:
            first = False
            continue
        first = False
        row = _row(line, cells)
        if row.name in seen:
            raise InvalidInput(f"줄 {line}: 사용자 '{row.name}'가 {seen[row.name]}번째 줄에도 있습니다 (repeated name)")
        seen[row.name] = line
        rows.append(row)
    if not rows:
        raise InvalidInput("명단에 사용자가 없습니다 (no accounts in the roster): name,password[,role]")
    return tuple(rows)
