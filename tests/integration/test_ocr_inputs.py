"""What OCR is given (issue 20), read by the real Tesseract: a multi-page TIFF, a 25-megapixel
photo read scaled down. Without Tesseract these skip with the reason on a laptop and fail in CI
(`tests.support.services.unavailable`)."""
from __future__ import annotations

import hashlib

import pytest

from tests.support.scangen import exif_photo, page_picture, tiff_pages
from tests.support.services import need_tesseract

LINES = ["방화벽 규칙은 분기마다 검토합니다.", "허용 목록에 없는 포트는 닫습니다."]


def read(path):
    from retriever.readers import read_bytes

    return read_bytes(path.read_bytes(), path.name)


def test_a_multi_page_tiff_is_pages_and_is_read_page_by_page(tmp_path, embedder, tokenizer):
    from retriever import NotesLibrary

    (tmp_path / "notes").mkdir()
    tiff = tiff_pages(tmp_path / "notes" / "feeder.tif",
                      [page_picture(["첫 장은 목차입니다."]), page_picture(LINES)])
    out = read(tiff)
    assert [s.page for s in out.scans] == [1, 2] and out.pages == (1, 2) and out.scans[0].key != out.scans[1].key
    need_tesseract()
    lib = NotesLibrary(tmp_path / "notes", tmp_path / "index", embedder, tokenizer)
    assert lib.refresh().recognised == 2
    top = lib.search("방화벽 규칙 검토", mode="keyword", k=1)[0]
    assert (top.source, top.page, top.ocr) == ("feeder.tif", 2, True)


@pytest.mark.slow
def test_a_5000_pixel_photo_is_read_scaled_down(tmp_path, embedder, tokenizer):
    """A 25-megapixel phone photo (held sideways, EXIF-turned) is decoded at a reduced scale
    and read at no more than `max_pixels`."""
    from PIL import Image

    from retriever import NotesLibrary, OcrConfig
    from retriever.ocr.render import image_pages
    from retriever.readers import image as image_reader

    (tmp_path / "notes").mkdir()
    photo = exif_photo(tmp_path / "notes" / "photo.jpg", page_picture(LINES, size=(5000, 5000), font_px=150))
    with Image.open(photo) as img:
        assert img.size == (5000, 5000)
        frame = image_reader.decode_frame(img, 0, (2000, 2000))
        assert frame.size[0] * frame.size[1] <= 2500 * 2500  # never decoded whole
    config = OcrConfig()
    (page, grey), = list(image_pages(photo, hashlib.sha256(photo.read_bytes()).hexdigest(), [(1, "")], config))
    assert page == 1 and grey.mode == "L" and grey.size[0] * grey.size[1] <= config.max_pixels
    need_tesseract()
    lib = NotesLibrary(tmp_path / "notes", tmp_path / "index", embedder, tokenizer)
    rep = lib.refresh()
    assert rep.skipped == [] and rep.recognised == 1
    top = lib.search("방화벽 규칙 검토", mode="keyword", k=1)[0]
    assert (top.source, top.page, top.ocr) == ("photo.jpg", 1, True)
