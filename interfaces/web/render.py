"""Note text turned into HTML or Markdown for the page — always escaped here.

Every function that puts note text on the page goes through `esc` or `esc_md`, so HTML or
script inside a note is shown as text and never runs — Gradio's own sanitising is a second
layer, not the only one. Note text quoted on the page (search excerpts, sources, the 오답 노트,
explanations) loses its Markdown marks first (`strip_marks`): no raw `**`, `###` or fences.
"""
from __future__ import annotations

import html
import re

from typing import Callable

from studyapp import RECOGNISED_NOTE, Hit, excerpt_window, lines_ko, mark, strip_marks

Spans = Callable[[str, str], list[tuple[int, int]]]  # (text, query) → where the query's terms are

SEARCH_MODE_LABELS = {"keyword": "키워드 (BM25)", "hybrid": "하이브리드", "semantic": "의미 (임베딩)"}

_MD_LINK = re.compile(r"\]\s*\(")
_MD_REFDEF = re.compile(r"^(\s{0,3}\[[^\]\n]*\])\s*:", re.M)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def esc(text: str) -> str:
    """Text for HTML: every <, >, & and quote escaped."""
    return html.escape(text or "", quote=True)


def _esc_prose(text: str) -> str:
    out = html.escape(text, quote=False)
    out = _MD_REFDEF.sub(lambda m: m.group(1) + "&#8203;:", out)
    return _MD_LINK.sub("]&#8203;(", out).replace("![", "!&#8203;[")


def _code_html(lines: list[str]) -> str:
    body = html.escape("\n".join(lines), quote=False)
    return f"<pre><code>{body}</code></pre>"


def _closes(line: str, fence: str) -> bool:
    m = _FENCE.match(line)
    return bool(m) and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) \
        and not line.strip()[len(m.group(1)):].strip()


def esc_md(text: str) -> str:
    """Markdown from untrusted text: HTML escaped, and no link or image can form.

    Markdown emphasis, lists and headings still work; `<tag>` shows as text; `[x](url)` and
    `![x](url)` lose their link syntax so a note cannot smuggle a javascript: or tracking
    URL into the page. Fenced code blocks become `<pre><code>` with escaped content (inside a
    Markdown fence an entity would show literally, so `a >= b` needs this to read right);
    those tags are the only HTML in the result.
    """
    out: list[str] = []
    prose: list[str] = []
    code: list[str] | None = None
    fence = ""
    for line in (text or "").split("\n"):
        if code is None:
            m = _FENCE.match(line)
            if m:
                out.append(_esc_prose("\n".join(prose)))
                prose, code, fence = [], [], m.group(1)
            else:
                prose.append(line)
        elif _closes(line, fence):
            out.append(_code_html(code))
            code = None
        else:
            code.append(line)
    if code is not None:
        out.append(_code_html(code))
    out.append(_esc_prose("\n".join(prose)))
    return "\n\n".join(x for x in out if x.strip())


def highlight_html(text: str, query: str, spans_of: Spans, width: int | None = 260) -> str:
    """Escaped excerpt of `text` — its Markdown marks removed — with the query's Kiwi terms in <mark>."""
    text = strip_marks(text)
    spans = spans_of(text, query) if query.strip() else []
    if width is None:
        body, inner, left, right = text, spans, False, False
    else:
        body, inner, left, right = excerpt_window(text, spans, width)
    marked = mark(body, inner, "<mark>", "</mark>", escape=esc)
    return ("… " if left else "") + marked + (" …" if right else "")


def render_hits_html(query: str, mode: str, hits: list[Hit], spans_of: Spans) -> str:
    if not hits:
        return (f'<div class="study-empty">\u201c{esc(query)}\u201d 검색 결과가 없습니다. '
                f'다른 검색어나 검색 방식을 시도해 보세요.</div>')
    parts = [f'<div class="study-results"><div class="study-count">결과 {len(hits)}건 · '
             f'{esc(SEARCH_MODE_LABELS.get(mode, mode))}</div>']
    for h in hits:
        parts.append(
            '<div class="study-hit">'
            f'<div class="study-hit-head"><span class="study-rank">[{h.rank}]</span> '
            f'<span class="study-file">{esc(h.source)}</span> '
            f'<span class="study-lines">{esc(lines_ko(h.lines, h.page, h.ocr))}</span> '
            f'<span class="study-score">점수 {h.score:.3f}</span></div>'
            f'<div class="study-heading">{esc(h.heading)}</div>'
            + (f'<div class="study-ocr">🔍 {esc(RECOGNISED_NOTE)}</div>' if h.ocr else "") +
            f'<div class="study-excerpt">{highlight_html(h.text, query, spans_of)}</div>'
            '</div>')
    parts.append("</div>")
    return "".join(parts)


def render_sources_md(hits: tuple[Hit, ...] | list[Hit], excerpt_chars: int = 220) -> str:
    """The sources of an answer as Markdown (escaped), one numbered entry each."""
    if not hits:
        return "출처 없음"
    out = []
    for i, h in enumerate(hits, 1):
        body = " ".join(strip_marks(h.text).split())
        if len(body) > excerpt_chars:
            body = body[:excerpt_chars].rstrip() + " …"
        out.append(f"**[{i}] {esc_md(h.source)}** · {lines_ko(h.lines, h.page, h.ocr)}  \n"
                   f"_{esc_md(h.heading) or '(제목 없음)'}_  \n"
                   + (f"🔍 _{esc_md(RECOGNISED_NOTE)}_  \n" if h.ocr else "")
                   + f"> {esc_md(body)}")
    return "\n\n".join(out)
