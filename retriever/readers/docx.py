"""Word documents (.docx, python-docx): Heading styles become the heading path, list
paragraphs list items, tables Markdown rows — in document order."""
from __future__ import annotations

import io
import re
import zipfile

from . import Extracted, Unreadable, table_lines

_HEADING = re.compile(r"^(?:heading|제목)\s*(\d)$", re.I)


def _heading_level(paragraph) -> int | None:
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    if name.lower() == "title":
        return 1
    m = _HEADING.match(name.strip())
    if m:
        return min(6, int(m.group(1)))
    # a custom style that still carries an outline level is a heading too
    ppr = paragraph._p.pPr
    lvl = ppr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}outlineLvl") if ppr is not None else None
    if lvl is not None:
        val = lvl.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val")
        if val is not None and val.isdigit() and int(val) < 9:
            return min(6, int(val) + 1)
    return None


def _is_list(paragraph) -> bool:
    name = ((paragraph.style.name if paragraph.style is not None else "") or "").lower()
    ppr = paragraph._p.pPr
    return "list" in name or "목록" in name or (ppr is not None and ppr.numPr is not None)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _table_lines(table) -> list[str]:
    rows = []
    for row in table.rows:
        cells = []
        for cell in row.cells:  # merged cells repeat: keep each once per row
            t = _cell(cell.text)
            if not cells or cells[-1] != t:
                cells.append(t)
        rows.append(cells)
    return table_lines(rows)


def read(data: bytes, name: str) -> Extracted:
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise Unreadable(f"손상되었거나 Word 문서가 아닙니다 (broken .docx: {type(exc).__name__})") from None
    lines: list[str] = []
    # a document Title sits above its Heading 1 sections in the heading path
    titled = any((p.style is not None and (p.style.name or "").lower() == "title") for p in document.paragraphs)
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            p = Paragraph(block, document)
            text = " ".join(p.text.split())
            if not text:
                continue
            level = _heading_level(p)
            if level:
                is_title = (p.style.name or "").lower() == "title" if p.style is not None else False
                level = min(6, level + (1 if titled and not is_title else 0))
                lines += ["", "#" * level + " " + text, ""]
            elif _is_list(p):
                lines.append(f"- {text}")
            else:
                lines += [text, ""]
        elif tag == "tbl":
            lines += [""] + _table_lines(Table(block, document)) + [""]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
    return Extracted(text, "docx")
