"""Real Korean documents built on the fly for the document tests and `bench/documents.py`: text
PDFs (reportlab + Nanum fonts), a scan-like PDF, a broken PDF, DOCX, and the 30-page lecture
PDF's pages (`lecture_pages`).

Each builder writes a real file that the readers must parse the way a learner's file would
be parsed; nothing here is a stub of a reader.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

NANUM = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")
NANUM_BOLD = Path("/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf")


@dataclass(frozen=True)
class PdfPage:
    heading: str | None  # drawn large and bold at the top, or None
    paragraphs: Sequence[str]


def fonts() -> tuple[str, str]:
    """The registered (regular, bold) Nanum font names; a clear error without fonts-nanum."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if not NANUM.exists():
        raise RuntimeError("Korean PDFs need Debian fonts-nanum (apt-get install fonts-nanum)")
    if "Nanum" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("Nanum", str(NANUM)))
        pdfmetrics.registerFont(TTFont("NanumBold", str(NANUM_BOLD if NANUM_BOLD.exists() else NANUM)))
    return "Nanum", "NanumBold"


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, cur = [], ""
    for word in text.split(" "):
        cand = f"{cur} {word}".strip()
        if cur and stringWidth(cand, font, size) > width:
            lines.append(cur)
            cur = word
        else:
            cur = cand
    if cur:
        lines.append(cur)
    return lines


def korean_pdf(path: Path, pages: Sequence[PdfPage], *, encrypt: str | None = None) -> Path:
    """A text-layer PDF: one entry of `pages` per page, headings in 18 pt bold, body 11 pt."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    regular, bold = fonts()
    c = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt)
    w, h = A4
    for page in pages:
        y = h - 72
        if page.heading:
            c.setFont(bold, 18)
            c.drawString(72, y, page.heading)
            y -= 36
        c.setFont(regular, 11)
        for para in page.paragraphs:
            for line in _wrap(para, regular, 11, w - 144):
                c.drawString(72, y, line)
                y -= 16
            y -= 10
        c.drawString(w / 2, 36, f"- {c.getPageNumber()} -")
        c.showPage()
    c.save()
    return path


# The 30-page lecture PDF: one fact per page (a device and its check code), three chapters.
LECTURE_TOPICS = ["라우터", "스위치", "방화벽", "서브넷", "게이트웨이", "브리지", "허브", "리피터", "모뎀", "프록시",
                  "로드밸런서", "DNS 서버", "DHCP 서버", "NAT 장비", "VPN 장비", "액세스 포인트", "광케이블", "동축케이블",
                  "이더넷 카드", "패치 패널", "랙 서버", "스토리지 어레이", "백본 스위치", "코어 라우터", "엣지 장비",
                  "침입 탐지기", "패킷 캡처기", "시간 서버", "메일 서버", "웹 캐시"]
LECTURE_CHAPTERS = {1: "제1장 네트워크 장비", 11: "제2장 케이블과 서버", 21: "제3장 보안과 운영"}


def lecture_pages(code_prefix: str = "ALPHA") -> list[PdfPage]:
    """The lecture PDF's 30 pages: page k holds the check code `<code_prefix><k:02d>` of topic k."""
    pages = []
    for k in range(1, 31):
        fact = (f"{k}쪽의 핵심 사실: {LECTURE_TOPICS[k - 1]} 장비의 점검 코드명은 {code_prefix}{k:02d} 이며 "
                f"점검 주기는 {k + 2}일입니다.")
        filler = ("이 페이지는 시험 대비 요약 자료의 일부로, 장비의 역할과 설정 방법, 흔히 틀리는 개념을 "
                  "함께 정리했습니다. 각 항목은 강의 슬라이드의 순서를 따릅니다.")
        pages.append(PdfPage(LECTURE_CHAPTERS.get(k), [fact, filler]))
    return pages


def scanned_pdf(path: Path, n_pages: int = 2) -> Path:
    """A PDF whose pages are only pictures (no text layer), like a scan."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    for i in range(n_pages):
        c.setFillGray(0.2 + 0.1 * i)
        for k in range(12):
            c.rect(72, 720 - k * 40, 400, 20, fill=1, stroke=0)
        c.showPage()
    c.save()
    return path


def broken_pdf(path: Path, source: Path) -> Path:
    """The first half of a real PDF: the cross-reference table and trailer are gone."""
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def word_docx(path: Path, title: str, sections: Sequence[tuple[str, Sequence[str], Sequence[str]]],
              table: Sequence[Sequence[str]] = ()) -> Path:
    """A .docx: a Title, then per section a Heading 1, its paragraphs and bullet items;
    `table` (rows of cells) after the first section."""
    import docx

    doc = docx.Document()
    doc.add_heading(title, level=0)
    for k, (heading, paragraphs, bullets) in enumerate(sections):
        doc.add_heading(heading, level=1)
        for para in paragraphs:
            doc.add_paragraph(para)
        for b in bullets:
            doc.add_paragraph(b, style="List Bullet")
        if k == 0 and table:
            t = doc.add_table(rows=len(table), cols=len(table[0]))
            for r, row in enumerate(table):
                for c, cell in enumerate(row):
                    t.cell(r, c).text = cell
    doc.save(str(path))
    return path
