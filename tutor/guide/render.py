"""A 단원 요약 as Markdown or HTML: a table of contents, then one part per section — 문제
시나리오 and 정답, 핵심 용어, 시험 포인트, 쓸 때 / 쓰면 안 될 때 (함정), 외울 숫자 and 자주 틀린
문항 — every line followed by where in the notes it comes from. The HTML starts each section
on a new page when printed and says everything in words, not colours."""
from __future__ import annotations

import html
import re
from typing import Iterator

from .model import Guide, GuideSection, cite

TITLE = "단원 요약"
# the headings of a section's parts, in order (also used by the PDF)
PARTS = (("scenario", "문제 시나리오"), ("answer", "정답"), ("terms", "핵심 용어"), ("points", "시험 포인트"),
         ("use", "이럴 때 쓴다 (O)"), ("avoid", "이럴 때는 안 된다 — 함정 (X)"), ("numbers", "외울 숫자"),
         ("missed", "자주 틀린 문항"))


def part_lines(g: GuideSection, part: str) -> list[tuple[str, str, str]]:
    """A part of a section as (bold lead, text, citation) rows (an empty list: no such part)."""
    if part in ("scenario", "answer"):
        x = getattr(g, part)
        return [("", x.text, cite(x.source))] if x is not None else []
    if part == "terms":
        return [(t.term, t.definition, cite(t.source)) for t in g.terms]
    if part in ("points", "use", "avoid"):
        return [("", x.text, cite(x.source)) for x in getattr(g, part)]
    if part == "numbers":
        return [(n.amount, n.text, cite(n.source)) for n in g.numbers]
    return [("", f"{m.question} → 정답: {m.answer} (틀린 횟수 {m.wrong_count})", cite(m.source)) for m in g.missed]


def _title(guide: Guide) -> str:
    return f"{TITLE} — {guide.user}" if guide.user else TITLE


def _anchor(i: int) -> str:
    return f"sec-{i}"


def numbered(i: int, title: str) -> str:
    """A section's heading: its title, numbered when the notes did not number it."""
    return title if re.match(r"^\d+[.)]\s", title) else f"{i}. {title}"


def _md_escape(text: str) -> str:
    """Note text in a Markdown list item without it turning into a heading or a link."""
    return text.replace("\n", " ").replace("[", "\\[").replace("]", "\\]").lstrip("#")


def to_markdown(guide: Guide) -> str:
    out = [f"# {_title(guide)}", "", "## 목차", ""]
    out += [f"- {_md_escape(numbered(i, g.section))}" for i, g in enumerate(guide.sections, start=1)]
    for i, g in enumerate(guide.sections, start=1):
        out += ["", f"## {_md_escape(numbered(i, g.section))}", "",
                f"*출처: {cite(g.source)}*"]
        for part, head in PARTS:
            rows = part_lines(g, part)
            if not rows:
                continue
            out += ["", f"### {head}", ""]
            for lead, text, where in rows:
                body = f"**{_md_escape(lead)}**: {_md_escape(text)}" if lead else _md_escape(text)
                out.append(f"- {body} — *{_md_escape(where)}*")
    return "\n".join(out) + "\n"


_CSS = """
body { font-family: 'NanumGothic', 'Noto Sans KR', sans-serif; max-width: 52rem; margin: 1.5rem auto;
       line-height: 1.55; color: #000; }
section.guide-section { break-before: page; page-break-before: always; }
h3 { border-bottom: 1px solid #000; padding-bottom: .1rem; }
.cite { font-style: italic; font-size: .85em; }
@page { size: A4; margin: 18mm; }
"""


def _html_rows(g: GuideSection) -> Iterator[str]:
    for part, head in PARTS:
        rows = part_lines(g, part)
        if not rows:
            continue
        yield f'<h3 class="part-{part}">{html.escape(head)}</h3><ul>'
        for lead, text, where in rows:
            body = f"<strong>{html.escape(lead)}</strong>: {html.escape(text)}" if lead else html.escape(text)
            yield f'<li>{body} <span class="cite">— {html.escape(where)}</span></li>'
        yield "</ul>"


def to_html(guide: Guide, page: bool = True) -> str:
    """The guide as HTML: a whole page (`page`) or a fragment to put in one."""
    parts = [f"<h1>{html.escape(_title(guide))}</h1>", "<nav><h2>목차</h2><ul>"]
    parts += [f'<li><a href="#{_anchor(i)}">{html.escape(numbered(i, g.section))}</a></li>'
              for i, g in enumerate(guide.sections, start=1)]
    parts.append("</ul></nav>")
    for i, g in enumerate(guide.sections, start=1):
        parts.append(f'<section class="guide-section" id="{_anchor(i)}"><h2>{html.escape(numbered(i, g.section))}</h2>'
                     f'<p class="cite">출처: {html.escape(cite(g.source))}</p>')
        parts += list(_html_rows(g))
        parts.append("</section>")
    body = "\n".join(parts)
    if not page:
        return f'<div class="study-guide">{body}</div>'
    return (f'<!doctype html>\n<html lang="ko"><head><meta charset="utf-8"><title>{html.escape(_title(guide))}'
            f"</title><style>{_CSS}</style></head><body>\n{body}\n</body></html>\n")
