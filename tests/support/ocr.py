"""A scanned notes folder for the OCR tests (a two-page scan, a sideways phone photo lit from one
side, a mixed PDF, a text memo; each page holds words no other page has), and a `tesseract` that
logs every page it is asked to read, so that "nothing is read again" is counted, not assumed."""
from __future__ import annotations

import re
from pathlib import Path

from tests.support.scangen import exif_photo, page_picture, scan_pdf, shaded

PAGES = {  # (heading, lines): each page holds words no other page has
    "scan-1": ("제1장 라우터 관리", ["라우터 점검 주기는 열이레입니다.", "점검 기록은 네트워크 대장에 남깁니다."]),
    "scan-2": (None, ["방화벽 규칙은 분기마다 검토합니다.", "허용 목록에 없는 포트는 닫습니다."]),
    "photo": (None, ["스위치 포트 미러링으로 패킷을 복제합니다.", "복제된 패킷은 분석 서버로 보냅니다."]),
    "mixed-2": (None, ["게이트웨이 장애 조치는 삼십 초 안에 끝납니다.", "예비 회선은 매주 시험합니다."]),
}
MIXED_TEXT = ["서브넷 마스크는 네트워크와 호스트를 나눕니다.", "프리픽스 길이로 주소 개수를 셉니다."]
MEMO = "# 메모\n\n키네시스 샤드는 초당 처리량의 단위입니다.\n"
FINDS = [  # query, file, page
    ("라우터 점검 주기", "scan.pdf", 1), ("방화벽 규칙 검토", "scan.pdf", 2),
    ("포트 미러링 패킷 복제", "photo.jpg", 1), ("게이트웨이 장애 조치", "mixed.pdf", 2),
]


def picture(name: str):
    heading, lines = PAGES[name]
    return page_picture(lines, heading=heading)


def wrapper(folder: Path, real: str, gate: Path | None = None) -> tuple[Path, Path]:
    """A `tesseract` that logs each page it reads (and, with `gate`, holds every page after
    the first two until the gate file exists)."""
    folder.mkdir(parents=True, exist_ok=True)
    log, exe = folder / "pages.log", folder / "tesseract"
    hold = (f'  n=$(sort -u "{log}" | wc -l)\n'  # distinct pages asked for so far, this one included
            f'  if [ "$n" -ge 3 ]; then while [ ! -e "{gate}" ]; do sleep 0.05; done; fi\n') if gate else ""
    exe.write_text(f'#!/bin/sh\ncase "$*" in *tsv*)\n  echo "$1" >> "{log}"\n{hold};;\nesac\n'
                   f'exec "{real}" "$@"\n', encoding="utf-8")
    exe.chmod(0o755)
    return exe, log


def pages_read(log: Path) -> int:
    """Pages Tesseract was asked to read: distinct page pictures (a page read again, as one
    column or turned upright, counts once)."""
    if not log.exists():
        return 0
    return len({ln for ln in log.read_text(encoding="utf-8").splitlines() if re.search(r"page-\d+\.png$", ln)})


# pages of a scanned handout as Tesseract gives them back: (line, letter height), tall = heading
RECOGNISED = (
    (("1. 라우터 점검 주기", 60), ("문제 시나리오: 지사 라우터의 장애를 줄이려고 점검 주기를 정한다", 30),
     ("정답: B. 분기마다 점검한다", 30), ("- 라우터 점검 주기는 분기마다입니다.", 30),
     ("- 점검 기록은 네트워크 대장에 남깁니다.", 30)),
    (("2. 방화벽 규칙 검토", 60), ("문제 시나리오: 허용 목록을 정리해 공격 면을 줄인다", 30),
     ("정답: C. 쓰지 않는 포트를 닫는다", 30), ("- 방화벽 규칙은 반기마다 검토합니다.", 30),
     ("- 허용 목록에 없는 포트는 닫습니다.", 30)),
)
KINESIS = "# 메모\n\n## 키네시스\n\n- **샤드**: 키네시스 스트림의 처리량 단위\n- **파티션 키**: 레코드를 샤드에 나누는 값\n"


def recognised_notes(folder: Path, index: Path, embedder, tokenizer) -> tuple[Path, Path]:
    """A notes folder with a text memo and a two-page scan whose pages were recognised in an
    earlier build — their text (`RECOGNISED`) is in the index's OCR cache, as Tesseract left it —
    indexed without running Tesseract (a build reads cached pages from the cache, never again).
    Reading the pictures for real: tests/integration/test_ocr*.py."""
    import json

    from retriever import OcrConfig
    from retriever.ocr.cache import FILE
    from retriever.ocr.text import Line, PageText
    from retriever.readers import read_bytes
    from retriever.store import current_generation
    from tests.support.libraries import build_index

    folder.mkdir(parents=True)
    (folder / "memo.md").write_text(KINESIS, encoding="utf-8")
    build_index(folder, index, embedder, tokenizer)  # a first build: the memo
    pdf = scan_pdf(folder / "scan.pdf", [page_picture([t for t, _ in p[1:]], heading=p[0][0]) for p in RECOGNISED])
    with open(current_generation(index) / FILE, "a", encoding="utf-8") as f:
        for scan, lines in zip(read_bytes(pdf.read_bytes(), "scan.pdf").scans, RECOGNISED):
            page = PageText(tuple(Line(t, 95.0, h, k) for k, (t, h) in enumerate(lines)), 95.0)
            f.write(json.dumps({"key": OcrConfig().cache_key(scan.key), **page.to_json()}, ensure_ascii=False) + "\n")
    return folder, build_index(folder, index, embedder, tokenizer)


def make_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True)
    scan_pdf(folder / "scan.pdf", [picture("scan-1"), picture("scan-2")], stamp="Scanned by OfficeScan 3000")
    exif_photo(folder / "photo.jpg", shaded(picture("photo")))  # held sideways, lit from one side
    scan_pdf(folder / "mixed.pdf", [MIXED_TEXT, picture("mixed-2")])
    (folder / "memo.md").write_text(MEMO, encoding="utf-8")
    return folder
