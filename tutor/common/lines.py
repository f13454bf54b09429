"""A section cut into single quotable lines: the candidates of a focused answer.

Prose sentences, list items and table rows are one line each (as `structure` parsed them);
a code block gives one line per code line, because a price or a setting sits on one line of
a block as often as in prose. Inside a block, a "label:" line ("Standard 클래스:") names the
lines after it and is shown with them; a comment line names the code after it — shown with
the first line, matched with the rest; both hold until a blank line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from retriever.structure import Section, Unit

_CODE_SKIP_RE = re.compile(r"^[\s\W_]*$")  # braces, box drawing, arrows alone
_CODE_LABEL_RE = re.compile(r"^[^=:{}\[\]'\"`#/\-][^=:{}\[\]'\"`]{0,48}:$")
_SQL_START_RE = re.compile(r"^(?:CREATE|ALTER|GRANT|REVOKE|SELECT|INSERT|UPDATE|DELETE|DROP|WITH)\b", re.I)
MAX_JOINED = 6  # lines of one statement shown as one line
MAX_JOINED_CHARS = 220
_OPENER_RE = re.compile(r"^[\w.\[\]'\"]+\s*[=:]\s*[{\[]$")  # "job_args = {" (a call "f(" names an API: kept)
_COMMENT_RE = re.compile(r"^\s*(#|//|--(?=\s))\s*(.*)$")  # "--flag" is a shell option, not SQL


@dataclass(frozen=True)
class Line:
    """One quotable line of a section."""

    unit: Unit
    line: int  # 1-based line in the note (a code line: its own line)
    text: str  # as shown in an answer
    kind: str  # the unit's kind
    label: str  # what it sits under: a code label / comment and the sub-section title
    pos: int = 0  # its place in its list, table or block (0: the first)
    code: str = ""  # a code line's own text (no label, no backticks)


def _code_lines(u: Unit) -> list[Line]:
    out: list[Line] = []
    raw = u.text.split("\n")
    label = note = ""
    pos = 0
    skip_to = -1
    for k, line in enumerate(raw):
        s = line.strip()
        if k <= skip_to:
            continue
        if not s:
            label = note = ""
            continue
        if _CODE_SKIP_RE.match(s):
            continue
        if _CODE_LABEL_RE.match(s):
            label, pos = s[:-1].strip(), 0
            continue
        cm = _COMMENT_RE.match(s)
        if cm and cm.group(2) and _next_code(raw, k):
            note, pos = cm.group(2), 0  # a comment line names the code after it
            continue
        if _OPENER_RE.search(s):  # "job_args = {": says nothing by itself
            continue
        joined = _statement(raw, k)
        if joined:  # a statement over a few lines reads as one: "aws ec2 attach-volume --volume-id …"
            s = joined
        # inline code, unless it holds a backtick or < > & (an escaped entity would show as is
        # inside a code span on the page)
        shown = s if re.search(r"[`<>&]", s) else f"`{s}`"
        said = ""
        if note and pos == 0:  # the first line after a comment is shown with it: "권한 부여: `GRANT …`"
            said = note
        elif label:
            said = label
        text = f"{said}: {shown}" if said else shown
        out.append(Line(u, u.line + k, text, "code", " ".join(x for x in (label, note, u.sub) if x), pos, s))
        pos += 1
        if joined:
            skip_to = k + _statement_len(raw, k) - 1
    return out


def _statement_len(raw: list[str], k: int) -> int:
    """Lines of the statement starting at line k: a shell line continued with "\\", or an SQL
    statement up to its ";" (1 when neither, or when it runs longer than a few lines)."""
    first = raw[k].strip()
    sql = bool(_SQL_START_RE.match(first)) and not first.endswith(";")
    if not (first.endswith("\\") or sql):
        return 1
    n = 1
    for nxt in raw[k + 1:k + MAX_JOINED]:
        s = nxt.strip()
        if not s:
            break
        n += 1
        if (sql and s.endswith(";")) or (not sql and not s.endswith("\\")):
            return n
    return n if not sql and n > 1 and not raw[k + n - 1].strip().endswith("\\") else 1


def _statement(raw: list[str], k: int) -> str:
    n = _statement_len(raw, k)
    if n == 1:
        return ""
    text = " ".join(x.strip().rstrip("\\").strip() for x in raw[k:k + n])
    return text if len(text) <= MAX_JOINED_CHARS else ""


def _next_code(raw: list[str], k: int) -> bool:
    """Whether a code line that is not a comment follows line k before a blank line."""
    for nxt in raw[k + 1:]:
        s = nxt.strip()
        if not s:
            return False
        if not _COMMENT_RE.match(s) and not _CODE_SKIP_RE.match(s):
            return True
    return False


def section_lines(sec: Section) -> list[Line]:
    """Every candidate line of a section, in note order."""
    out: list[Line] = []
    prev: Unit | None = None
    pos = 0
    for u in sec.units:
        if u.kind == "code":
            out.extend(_code_lines(u))
            prev = None
            continue
        same_list = prev is not None and prev.kind == u.kind and prev.sub == u.sub and prev.mark == u.mark
        pos = pos + 1 if same_list else 0
        out.append(Line(u, u.line, u.display(), u.kind, u.sub, pos))
        prev = u
    return out
