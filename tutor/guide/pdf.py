"""A 단원 요약 as an A4 PDF (reportlab, loaded on first use): a Korean TrueType font embedded
(so the text layer holds every title), a table of contents with page numbers, each section
starting on a new page, black text only — what a part is, is said in its heading."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence
from xml.sax.saxutils import escape

from .model import Guide, cite
from .render import PARTS, TITLE, numbered, part_lines

# where Debian's fonts-nanum and fonts-noto-cjk put a Korean font (the first found is used)
FONT_CANDIDATES = ("/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
                   "/usr/share/fonts/truetype/nanum/NanumBarunGothic.ttf",
                   "/usr/share/fonts/truetype/noto/NotoSansKR-Regular.ttf")
FONT_NAME = "GuideKorean"


class FontMissing(RuntimeError):
    """No Korean TrueType font to embed."""


def find_font(font: str | Path | None = None, candidates: Sequence[str] = FONT_CANDIDATES) -> Path:
    for c in ([str(font)] if font else []) + list(candidates):
        if c and Path(c).is_file():
            return Path(c)
    raise FontMissing("PDF에 쓸 한글 글꼴(TTF)을 찾지 못했습니다: fonts-nanum을 설치하거나 STUDY_GUIDE_FONT에 "
                      "글꼴 파일 경로를 주세요.")


def _register(font: Path) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(font)))
        # the bold face beside it (NanumGothicBold.ttf) for <b> and headings: bold reads in black and white
        bold = font.with_name(f"{font.stem}Bold{font.suffix}")
        bold_name = f"{FONT_NAME}-Bold" if bold.is_file() else FONT_NAME
        if bold.is_file():
            pdfmetrics.registerFont(TTFont(bold_name, str(bold)))
        pdfmetrics.registerFontFamily(FONT_NAME, normal=FONT_NAME, bold=bold_name, italic=FONT_NAME,
                                      boldItalic=bold_name)


def _styles():
    from reportlab.lib.styles import ParagraphStyle

    # Korean is written with spaces between words: the default wrapping (at spaces) reads well
    # and is several times faster than reportlab's CJK wrapping (any character)
    base = ParagraphStyle("body", fontName=FONT_NAME, fontSize=9.5, leading=13.5, splitLongWords=True)
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=24, spaceAfter=10),
        "h1": ParagraphStyle("h1", parent=base, fontSize=14, leading=19, spaceAfter=4),
        "h2": ParagraphStyle("h2", parent=base, fontSize=11, leading=15, spaceBefore=8, spaceAfter=2),
        "body": base,
        "cite": ParagraphStyle("cite", parent=base, fontSize=7.5, leading=10, leftIndent=12),
        "item": ParagraphStyle("item", parent=base, leftIndent=12, bulletIndent=2),
        "toc": ParagraphStyle("toc", parent=base, fontSize=10.5, leading=16),
    }


def _story(guide: Guide, st) -> list:
    from reportlab.platypus import PageBreak, Paragraph
    from reportlab.platypus.tableofcontents import TableOfContents

    toc = TableOfContents()
    toc.levelStyles = [st["toc"]]
    title = f"{TITLE} — {guide.user}" if guide.user else TITLE
    story: list = [Paragraph(escape(title), st["title"]), Paragraph("목차", st["h1"]), toc]
    for i, g in enumerate(guide.sections, start=1):
        story.append(PageBreak())
        head = Paragraph(f"<b>{escape(numbered(i, g.section))}</b>", st["h1"])
        head._toc_entry = numbered(i, g.section)  # noqa: SLF001 (read by the doc template below)
        story += [head, Paragraph("출처: " + escape(cite(g.source)), st["cite"])]
        for part, name in PARTS:
            rows = part_lines(g, part)
            if not rows:
                continue
            story.append(Paragraph(f"<b>{escape(name)}</b>", st["h2"]))
            for lead, text, where in rows:
                body = f"<b>{escape(lead)}</b>: {escape(text)}" if lead else escape(text)
                story.append(Paragraph(body, st["item"], bulletText="•"))
                story.append(Paragraph("— " + escape(where), st["cite"]))
    return story


def write_pdf(guide: Guide, out: Path, font: str | Path | None = None) -> Path:
    """Writes the guide to `out` (A4; the caller makes the write atomic); returns `out`."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    _register(find_font(font))
    st = _styles()

    class _Doc(BaseDocTemplate):
        def afterFlowable(self, flowable) -> None:  # noqa: N802 (reportlab's name)
            entry = getattr(flowable, "_toc_entry", None)
            if entry:
                self.notify("TOCEntry", (0, escape(entry), self.page))

    def footer(canvas, doc) -> None:
        canvas.setFont(FONT_NAME, 8)
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"{TITLE} · {doc.page}")

    doc = _Doc(str(out), pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
               bottomMargin=18 * mm, title=TITLE, author="study notes")
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=footer)])
    doc.multiBuild(_story(guide, st))
    return out
