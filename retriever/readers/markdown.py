"""Markdown, including exports from Obsidian and Notion.

YAML front matter is kept out of the text (its `title` becomes the top heading when the note
has none); Obsidian `[[wikilinks]]` and `![[embeds]]` become their plain names. Line numbers
stay those of the file: the front matter's lines are blanked, not removed.
"""
from __future__ import annotations

import re

from . import Extracted
from .text import decode_text

_FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_WIKI = re.compile(r"!?\[\[([^\[\]\n|#]*)(?:#([^\[\]\n|]*))?(?:\|([^\[\]\n]*))?\]\]")
_TOP_HEADING = re.compile(r"^#\s+\S", re.M)


def _front_title(block: str) -> str:
    """The `title:` of a front-matter block (YAML; a plain `title:` line when YAML fails)."""
    try:
        import yaml

        meta = yaml.safe_load(block)
        if isinstance(meta, dict) and isinstance(meta.get("title"), (str, int, float)):
            return str(meta["title"]).strip()
        return ""
    except Exception:  # malformed front matter still leaves the note readable
        m = re.search(r"^title:\s*['\"]?(.+?)['\"]?\s*$", block, re.M)
        return m.group(1).strip() if m else ""


def _wikilink(m: re.Match) -> str:
    target, heading, alias = (g.strip() if g else "" for g in m.groups())
    if alias:
        return alias
    return f"{target} > {heading}" if target and heading else (target or heading)


def clean_markdown(text: str) -> str:
    m = _FRONT.match(text)
    if m:
        n_lines = m.group(0).count("\n")
        title = _front_title(m.group(1))
        body = text[m.end():]
        head = [f"# {title}"] if title and not _TOP_HEADING.search(body) else [""]
        # blank lines in place of the block keep every later line number the file's own
        text = "\n".join(head + [""] * (n_lines - 1)) + "\n" + body
    return _WIKI.sub(_wikilink, text)


def read(data: bytes, name: str) -> Extracted:
    text, enc = decode_text(data)
    return Extracted(clean_markdown(text), enc)
