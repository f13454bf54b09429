"""Scans and photos of pages (PNG, JPEG, TIFF, WebP, BMP, GIF): checked here, read by OCR.

The reader only makes sure that the picture decodes and is not a decompression bomb, and
lists its pages (a multi-page TIFF has one per frame) with their content keys; the text is
recognised later by `retriever/ocr`, so reading (and checking an upload) stays fast.

An animated GIF, WebP or PNG is refused: its frames are not pages, and reading only the
first frame would silently drop the rest (a still GIF is read like any picture).
"""
from __future__ import annotations

import hashlib
import io
import re
import warnings

from . import Extracted, ScanPage, Unreadable

KEY_VERSION = "image-v1"
_ANIMATION_FORMATS = ("GIF", "WEBP", "PNG")  # their frames are an animation, a TIFF's are pages


def bomb_reason(pixels: int | None, limit: int) -> str:
    size = f"{pixels:,} 픽셀" if pixels else "한도 초과"
    return (f"이미지가 너무 큽니다: {size} (Pillow 한도 {limit:,} 픽셀, 압축 폭탄 방지 — "
            f"decompression bomb check)")


def open_image(data: bytes):
    """The picture in `data`, opened lazily (nothing decoded yet); Unreadable with the reason."""
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise Unreadable("빈 이미지 파일입니다 (0 bytes)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        m = re.search(r"\((\d+) pixels\)", str(exc))
        raise Unreadable(bomb_reason(int(m.group(1)) if m else None, Image.MAX_IMAGE_PIXELS)) from None
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise Unreadable(f"이미지로 읽을 수 없는 파일입니다 (not a readable image: {type(exc).__name__})") from None
    w, h = img.size
    if Image.MAX_IMAGE_PIXELS and w * h > Image.MAX_IMAGE_PIXELS:
        raise Unreadable(bomb_reason(w * h, Image.MAX_IMAGE_PIXELS))
    if getattr(img, "is_animated", False) and img.format in _ANIMATION_FORMATS:
        raise Unreadable(f"움직이는 이미지는 읽지 않습니다 ({img.format} 애니메이션 {img.n_frames}프레임; "
                         f"한 장면이면 PNG로 저장하세요 — animated image skipped)")
    return img


def frame_count(img) -> int:
    return max(1, int(getattr(img, "n_frames", 1)))


def decode_frame(img, frame: int, draft_to: tuple[int, int] | None = None):
    """Decode one frame (a JPEG at a reduced scale when `draft_to` asks for one, which needs
    far less memory); Unreadable when the data is truncated or damaged."""
    try:
        img.seek(frame)
        if draft_to is not None and img.format == "JPEG":
            img.draft(img.mode, draft_to)
        img.load()
    except (OSError, ValueError, EOFError, SyntaxError) as exc:
        raise Unreadable(f"이미지가 잘렸거나 손상되었습니다 (truncated or damaged image: {exc})") from None
    return img


def _frame_key(img, frame: int, whole: str) -> str:
    h = hashlib.sha256(f"{KEY_VERSION}:{frame}:".encode())
    if frame_count(img) == 1:
        h.update(whole.encode())  # one picture: the file's bytes are its content
    else:  # a page of a multi-page TIFF: its own pixels, so editing one page changes one key
        h.update(f"{img.mode}:{img.size}:{img.getexif().get(0x0112, 1)}:".encode())
        h.update(img.tobytes())
    return h.hexdigest()


def read(data: bytes, name: str) -> Extracted:
    img = open_image(data)
    whole = hashlib.sha256(data).hexdigest()
    n = frame_count(img)
    scans = []
    for frame in range(n):
        decode_frame(img, frame, draft_to=(max(1, img.width // 8), max(1, img.height // 8)))
        scans.append(ScanPage(frame + 1, _frame_key(img, frame, whole)))
    img.close()
    # every page an empty line for now: OCR fills it in (`retriever/ocr/assemble.py`)
    return Extracted("\n" * (n - 1), "image", tuple(range(1, n + 1)), tuple(scans))
