"""Scanned stand-ins of text we have, for bench/ocr_sets.py (`python -m bench.ocr_sets`): Markdown laid out on A4 pages and
drawn with the Nanum fonts at 300 dpi (the same layout also as a text-layer PDF), then spoiled
like a scan — tilt, blur, noise, grey paper, JPEG — at two strengths, or like a phone photo —
perspective, uneven light. Deterministic (seeded); nothing here reads the project's code.
"""
from __future__ import annotations

import io
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/nanum")
FONTS = {"body": ("NanumGothic.ttf", 11), "bold": ("NanumGothicBold.ttf", 11), "code": ("NanumGothicCoding.ttf", 9.5),
         "h1": ("NanumGothicBold.ttf", 20), "h2": ("NanumGothicBold.ttf", 17), "h3": ("NanumGothicBold.ttf", 14)}
DPI = 300
A4 = (2480, 3508)  # pixels at 300 dpi
MARGIN = 200
LEVELS = {  # how hard a scan is spoiled: tilt (degrees), blur radius, noise sd, paper grey, JPEG quality
    1: dict(tilt=0.4, blur=0.5, noise=6, paper=248, ink=20, quality=85),
    2: dict(tilt=1.2, blur=1.1, noise=18, paper=228, ink=55, quality=55),
    # past what Tesseract reads reliably: most pages at 93–99 %, some lost to half (issue 21's scan3)
    3: dict(tilt=1.4, blur=1.25, noise=21, paper=225, ink=62, quality=50),
}


def font(style: str, scale: float = 1.0) -> ImageFont.FreeTypeFont:
    name, pt = FONTS[style]
    return ImageFont.truetype(str(FONT_DIR / name), int(round(pt * DPI / 72 * scale)))


@dataclass
class Row:
    text: str
    style: str
    section: str  # the deepest heading of level ≤ 3 above it (the seed questions' "section")


@dataclass
class Page:
    rows: list[tuple[int, Row]] = field(default_factory=list)  # (y in pixels, row)

    @property
    def text(self) -> str:
        return "\n".join(r.text for _, r in self.rows)

    @property
    def sections(self) -> set[str]:
        return {r.section for _, r in self.rows if r.section}


def markdown_rows(md: str) -> list[Row]:
    """The visible lines of a Markdown note, each with its style and section."""
    rows, code, section = [], False, ""
    for raw in md.split("\n"):
        if raw.strip().startswith("```"):
            code = not code
            continue
        line = raw.rstrip()
        if code:
            rows.append(Row(line.replace("\t", "    "), "code", section))
            continue
        m = re.match(r"^(#{1,6})\s+(.*)$", line)
        text = re.sub(r"\*\*|`", "", m.group(2) if m else line).strip()
        if m:
            level = min(3, len(m.group(1)))
            section = text if level <= 3 else section
            rows.append(Row(text, f"h{level}", section))
        elif re.match(r"^\s*\*\*.*\*\*:?\s*$", line):
            rows.append(Row(text, "bold", section))
        elif text:
            rows.append(Row(text.replace("|", " | ").strip(" |") if text.startswith("|") else text, "body", section))
        else:
            rows.append(Row("", "body", section))
    return rows


def _wrap(text: str, f: ImageFont.FreeTypeFont, width: int) -> list[str]:
    out, cur = [], ""
    for word in text.split(" "):
        cand = f"{cur} {word}" if cur else word
        if cur and f.getlength(cand) > width:
            out.append(cur)
            cur = word
        else:
            cur = cand
        while f.getlength(cur) > width:  # one word wider than the line: cut it
            k = max(1, int(len(cur) * width / f.getlength(cur)) - 1)
            out.append(cur[:k])
            cur = cur[k:]
    return out + [cur] if cur else out


def layout(rows: list[Row], size: tuple[int, int] = A4, margin: int = MARGIN) -> list[Page]:
    """Rows wrapped to the page width and set on pages top to bottom."""
    pages, page, y = [], Page(), margin
    width, bottom = size[0] - 2 * margin, size[1] - margin
    for row in rows:
        f = font(row.style)
        step = int(f.size * (1.35 if row.style == "code" else 1.6))
        if not row.text:
            y += step // 2
            continue
        if row.style.startswith("h"):
            y += step // 2
        for piece in _wrap(row.text, f, width):
            if y + step > bottom:
                pages.append(page)
                page, y = Page(), margin
            page.rows.append((y, Row(piece, row.style, row.section)))
            y += step
    return pages + [page] if page.rows else pages


def draw(page: Page, size: tuple[int, int] = A4, margin: int = MARGIN) -> Image.Image:
    img = Image.new("L", size, 255)
    d = ImageDraw.Draw(img)
    for y, row in page.rows:
        d.text((margin, y), row.text, font=font(row.style), fill=0)
    return img


def text_pdf(pages: list[Page], path: Path, size: tuple[int, int] = A4, margin: int = MARGIN) -> Path:
    """The same pages as a PDF with a text layer (reportlab, the same fonts and places)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    for style, (name, _) in FONTS.items():
        if f"bench-{name}" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(f"bench-{name}", str(FONT_DIR / name)))
    k = 72 / DPI
    c = canvas.Canvas(str(path), pagesize=(size[0] * k, size[1] * k))
    for page in pages:
        for y, row in page.rows:
            name, pt = FONTS[row.style]
            c.setFont(f"bench-{name}", pt)
            c.drawString(margin * k, (size[1] - y) * k - pt * 0.88, row.text)
        c.showPage()
    c.save()
    return path


def spoil(img: Image.Image, level: int, seed: int) -> Image.Image:
    """A clean page as a scanner would give it back."""
    p, rng = LEVELS[level], random.Random(seed)
    arr = np.asarray(img, dtype=np.float32) / 255.0
    arr = p["paper"] - (p["paper"] - p["ink"]) * (1.0 - arr)  # grey paper, ink not quite black
    out = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    out = out.rotate(rng.uniform(-p["tilt"], p["tilt"]), resample=Image.Resampling.BICUBIC, fillcolor=p["paper"])
    out = out.filter(ImageFilter.GaussianBlur(p["blur"]))
    noise = np.random.default_rng(seed).normal(0, p["noise"], out.size[::-1])
    arr = np.asarray(out, dtype=np.float32) + noise
    return _jpeg(Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)), p["quality"])


def photograph(img: Image.Image, seed: int) -> Image.Image:
    """A clean page as a phone photo: seen at an angle, lit from one side, a little soft, in colour."""
    rng = random.Random(seed)
    w, h = img.size
    j = [rng.uniform(0.01, 0.06) for _ in range(8)]
    quad = (w * j[0], h * j[1], w * j[2], h * (1 - j[3]), w * (1 - j[4]), h * (1 - j[5]), w * (1 - j[6]), h * j[7])
    flat = img.transform((w, h), Image.Transform.QUAD, quad, resample=Image.Resampling.BICUBIC, fillcolor=255)
    gx = np.linspace(rng.uniform(0.55, 0.7), 1.0, w)[None, :] * np.linspace(1.0, rng.uniform(0.75, 0.9), h)[:, None]
    arr = np.asarray(flat.filter(ImageFilter.GaussianBlur(1.2)), dtype=np.float32) * gx
    arr = arr + np.random.default_rng(seed).normal(0, 8, arr.shape)
    rgb = np.stack([arr * 1.0, arr * 0.96, arr * 0.88], axis=-1)  # warm indoor light
    return _jpeg(Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB"), 80)


def _jpeg(img: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    buf.seek(0)
    return Image.open(buf)


def image_pdf(images: list[Image.Image], path: Path) -> Path:
    """A scanned PDF: each picture one page (JPEG inside), no text layer."""
    first, *rest = images
    first.save(path, "PDF", save_all=True, append_images=rest, resolution=DPI)
    return path


def passage_picture(text: str, width: int = 1600, margin: int = 90) -> tuple[Image.Image, str]:
    """A short passage on a card-sized picture; returns it and the text as drawn (wrapped)."""
    f = font("body")
    lines = _wrap(text, f, width - 2 * margin)
    step = int(f.size * 1.6)
    img = Image.new("L", (width, 2 * margin + step * len(lines)), 255)
    d = ImageDraw.Draw(img)
    for k, line in enumerate(lines):
        d.text((margin, margin + k * step), line, font=f, fill=0)
    return img, "\n".join(lines)
