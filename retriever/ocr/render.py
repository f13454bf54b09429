"""Page pictures for OCR: PDF pages rendered grey with PDFium, image frames decoded with Pillow.

One page at a time, scaled to at most `max_pixels` (a 5,000 × 5,000 photo is decoded at a
reduced scale, never whole in colour), turned upright by its EXIF orientation, transparent
parts on white. Before a page is given out its content is checked against the key it was
listed with: a file changed since it was read yields a reason instead of a picture.
"""
from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Iterator

from ..readers import Unreadable
from ..readers import image as image_reader
from ..readers import pdf as pdf_reader
from .config import OcrConfig

CHANGED = "파일이 읽는 도중 바뀌었습니다 — 다음 색인 때 다시 읽습니다 (file changed while being read)"
MIN_SIDE = 1000  # smaller pictures (a cropped screenshot) are enlarged 2× first: Tesseract needs ~20 px letters


def _render(doc, page: int, key: str, config: OcrConfig):
    """Page `page` of an open PDF as a grey picture, or CHANGED (the caller holds PDFIUM)."""
    if page > len(doc) or pdf_reader.page_key(doc, page - 1) != key:
        return CHANGED
    pg = doc[page - 1]
    try:
        w, h = pg.get_size()
        scale = config.dpi / 72
        if w * h * scale * scale > config.max_pixels:
            scale = math.sqrt(config.max_pixels / (w * h))
        return pg.render(scale=scale, grayscale=True).to_pil().convert("L")
    finally:
        pg.close()


def pdf_pages(path: Path, pages: list[tuple[int, str]], config: OcrConfig) -> Iterator[tuple[int, object]]:
    """(page, grey PIL image or a one-line reason) for each (1-based page, key) of a PDF.

    The document is opened again for every page: an open PDFium document keeps what it decoded
    for the pages already rendered (≈ 1.8 MB a page of a 300-dpi scan, measured: a 100-page scan
    grew the process by ≈ 200 MB), while opening it costs a few milliseconds against Tesseract's
    seconds (bench/RESULTS.md, "The 100-page scan under 1 GB")."""
    for n, (page, key) in enumerate(pages):
        try:
            with pdf_reader.PDFIUM:  # held per page, never while the caller has the page
                doc = pdf_reader.open_pdf(str(path))
                try:
                    img = _render(doc, page, key, config)
                finally:
                    doc.close()
        except (Unreadable, OSError) as exc:
            for left, _ in pages[n:]:
                yield left, _unopened(path, exc)
            return
        yield page, img


def _unopened(path: Path, exc: Exception) -> str:
    """Why a PDF's remaining pages cannot be rendered: a file removed since it was read has
    changed (it is read again next time); otherwise its one-line reason."""
    if not path.exists():
        return CHANGED
    return str(exc) if isinstance(exc, Unreadable) else f"파일을 읽을 수 없습니다: {getattr(exc, 'strerror', None) or exc}"


def _grey(img):
    """The frame in grey-scale, transparent parts on white."""
    from PIL import Image

    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        canvas = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        canvas.alpha_composite(rgba)
        return canvas.convert("L")
    return img.convert("L")


def _fit(img, max_pixels: int):
    from PIL import Image

    w, h = img.size
    if w * h > max_pixels:
        f = math.sqrt(max_pixels / (w * h))
        return img.resize((max(1, int(w * f)), max(1, int(h * f))), Image.Resampling.LANCZOS)
    if max(w, h) < MIN_SIDE:
        return img.resize((w * 2, h * 2), Image.Resampling.LANCZOS)
    return img


def image_pages(path: Path, sha256: str, pages: list[tuple[int, str]],
                config: OcrConfig) -> Iterator[tuple[int, object]]:
    """(page, grey PIL image or a one-line reason) for each (1-based frame, key) of a picture."""
    from PIL import ImageOps

    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        for page, _ in pages:
            yield page, CHANGED
        return
    try:
        img = image_reader.open_image(data)
    except Unreadable as exc:
        for page, _ in pages:
            yield page, str(exc)
        return
    del data
    with img:
        w, h = img.size
        f = math.sqrt(config.max_pixels / (w * h)) if w * h > config.max_pixels else 1.0
        for page, _ in pages:
            try:
                frame = image_reader.decode_frame(img, page - 1, (max(1, int(w * f)), max(1, int(h * f))))
                yield page, _fit(_grey(ImageOps.exif_transpose(frame)), config.max_pixels)
            except Unreadable as exc:
                yield page, str(exc)
