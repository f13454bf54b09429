"""Scanned notes built on the fly: Korean text drawn with the Nanum fonts onto pictures (Pillow),
put into image-only, mixed and encrypted PDFs (reportlab), photos with an EXIF orientation,
and the broken pictures learners' folders hold (a decompression bomb, a truncated JPEG, an
empty PNG, an animated GIF). Pages are small (A6 at 300 dpi) so that OCR takes a second or two.
"""
from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path
from typing import Sequence

from bench.lib.docgen import NANUM, NANUM_BOLD, fonts

A6_PX = (1240, 1748)  # 105 × 148 mm at 300 dpi
A6_PT = (297.6, 419.5)


def page_picture(lines: Sequence[str], size: tuple[int, int] = A6_PX, font_px: int = 40,
                 heading: str | None = None):
    """A grey page with `lines` drawn in Nanum Gothic (and a bold heading above them)."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("L", size, 255)
    draw = ImageDraw.Draw(img)
    y = size[1] // 12
    if heading:
        draw.text((size[0] // 12, y), heading, font=ImageFont.truetype(str(NANUM_BOLD), int(font_px * 1.5)), fill=0)
        y += int(font_px * 2.6)
    body = ImageFont.truetype(str(NANUM), font_px)
    for line in lines:
        draw.text((size[0] // 12, y), line, font=body, fill=0)
        y += int(font_px * 1.7)
    return img


def _png(img) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def scan_pdf(path: Path, pages: Sequence[object], *, encrypt: str | None = None,
             stamp: str | None = None) -> Path:
    """A PDF of `pages`: a picture (PIL image) fills its page like a scan; a list of strings is
    set as a text layer. `stamp` puts a short text layer on every picture page, as scanners do."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    regular, _ = fonts()
    c = canvas.Canvas(str(path), pagesize=A6_PT, encrypt=encrypt)
    w, h = A6_PT
    for page in pages:
        if isinstance(page, (list, tuple)):
            c.setFont(regular, 11)
            for k, line in enumerate(page):
                c.drawString(24, h - 40 - 16 * k, line)
        else:
            c.drawImage(ImageReader(io.BytesIO(_png(page))), 0, 0, width=w, height=h)
            if stamp:
                c.setFont(regular, 6)
                c.drawString(8, 8, stamp)
        c.showPage()
    c.save()
    return path


def shaded(picture, darkest: float = 0.55):
    """The picture lit from one side, as a phone photo of a page is: the far edge at `darkest`
    of the light."""
    import numpy as np
    from PIL import Image

    arr = np.asarray(picture.convert("L"), dtype=np.float32)
    light = np.linspace(darkest, 1.0, arr.shape[1])[None, :]
    return Image.fromarray(np.clip(arr * light, 0, 255).astype(np.uint8))


def exif_photo(path: Path, picture, orientation: int = 6, quality: int = 85) -> Path:
    """A JPEG whose pixels are stored turned, with the EXIF orientation that shows it upright
    (6: the camera was held sideways, the viewer turns the picture 90° clockwise)."""
    from PIL import Image

    turned = {6: 90, 8: -90, 3: 180}[orientation]  # stored = upright turned back (counter-clockwise)
    stored = picture.convert("RGB").rotate(turned, expand=True)
    exif = Image.Exif()
    exif[0x0112] = orientation
    stored.save(path, "JPEG", quality=quality, exif=exif)
    return path


def bomb_png(path: Path, side: int = 30_000) -> Path:
    """A tiny PNG that declares side × side pixels: a decompression bomb."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * (side + 1) * 8, 9)  # a few rows; the rest never comes
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
    return path


def truncated_jpeg(path: Path, picture) -> Path:
    buf = io.BytesIO()
    picture.convert("RGB").save(buf, "JPEG", quality=90)
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    return path


def tiff_pages(path: Path, pictures: Sequence[object]) -> Path:
    """A multi-page TIFF (a document feeder's output): one picture per page."""
    first, *rest = pictures
    first.save(path, save_all=True, append_images=rest, compression="tiff_lzw", dpi=(300, 300))
    return path


def animated_gif(path: Path, frames: Sequence[object]) -> Path:
    first, *rest = [f.convert("P") for f in frames]
    first.save(path, save_all=True, append_images=rest, duration=200, loop=0)
    return path
