"""Note Markdown as plain text for screens that show note text (search results, 오답 노트,
sources, quiz explanations, the terminal): heading marks, bold/italic/code marks, code fences
and link syntax go; the words, line breaks, list dashes and table cells stay. Nothing is
escaped here — a page escapes what this returns (`interfaces/web/render.esc`)."""
from __future__ import annotations

import re

_FENCE_RE = re.compile(r"^\s{0,3}(?:`{3,}|~{3,})[\w+-]*\s*$")
_HEADING_RE = re.compile(r"^(\s{0,3})#{1,6}\s+")
_PAIRED_RE = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")  # **bold**, __bold__
_ITALIC_RE = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])")  # *italic*, not a*b*c
_CODE_RE = re.compile(r"`+([^`\n]+?)`+")
_LINK_RE = re.compile(r"!?\[([^\]\n]*)\]\((?:[^()\n]|\([^()\n]*\))*\)")
_RULE_RE = re.compile(r"^\s{0,3}(?:[-*_]\s*){3,}$")  # a horizontal rule
_TABLE_SEP_RE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")


def strip_line(line: str) -> str:
    """One line without its Markdown marks."""
    line = _HEADING_RE.sub(r"\1", line)
    line = _LINK_RE.sub(r"\1", line)
    line = _CODE_RE.sub(r"\1", line)
    for _ in range(2):  # **bold with *italic* inside**
        line = _PAIRED_RE.sub(r"\2", line)
    line = _ITALIC_RE.sub(r"\1", line)
    return line.replace("**", "")  # a mark left open where an excerpt was cut


def strip_marks(text: str) -> str:
    """`text` without Markdown marks, line by line (code fences dropped, their lines kept
    as written; horizontal rules and table separator lines dropped)."""
    out = []
    code = False
    for line in (text or "").split("\n"):
        if _FENCE_RE.match(line):
            code = not code
            continue
        if code:
            out.append(line)
        elif not (_RULE_RE.match(line) or _TABLE_SEP_RE.match(line)):
            out.append(strip_line(line))
    return "\n".join(out)
