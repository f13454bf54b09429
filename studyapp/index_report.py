"""The words for what an index build did (the CLI and the web app say the same thing)."""
from __future__ import annotations

from retriever import BuildReport


def index_summary(rep: BuildReport) -> str:
    """`파일 3개, 청크 120개 (새로 임베딩 1, 재사용 119, 삭제된 파일 0) · 0.7초` — what a build did."""
    if not rep.changed:
        text = f"파일 {rep.files}개, 청크 {rep.chunks}개 · {rep.seconds:.1f}초"
    else:
        text = (f"파일 {rep.files}개, 청크 {rep.chunks}개 (새로 임베딩 {rep.embedded}, 재사용 {rep.reused}, "
                f"삭제된 파일 {rep.removed}) · {rep.seconds:.1f}초")
    if rep.recognised:
        text += f" · 스캔 페이지 {rep.recognised}쪽 인식 (OCR)"
    if rep.ocr:
        text += f" · 인식 품질 낮음 {len(rep.ocr)}쪽"
    if rep.skipped:
        text += f" · 건너뛴 파일 {len(rep.skipped)}개"
    cal = rep.calibration
    if rep.changed and cal and cal.get("reused") is False and "keyword_weight" in cal:
        text += (f" · 검색 가중치 측정: 키워드 {cal['keyword_weight']:.2f}–{cal['max_keyword_weight']:.2f} "
                 f"({cal['seconds']:.1f}초)")
    return text


def index_headline(rep: BuildReport, done: str = "색인 갱신", unchanged: str = "색인 변경 없음") -> str:
    """The summary after a verb: `done` when the build changed the index, else `unchanged`."""
    return f"{done if rep.changed else unchanged}: {index_summary(rep)}"


def skipped_lines(rep: BuildReport) -> list[str]:
    """One warning line per file the build skipped, with its reason, and one per recognised
    page under the confidence floor."""
    return ([f"경고: 건너뜀 (skipped) {s.path}: {s.reason}" for s in rep.skipped]
            + [f"경고: 인식 품질 낮음 (low OCR confidence) {x['path']} p. {x['page']}: 신뢰도 {x['confidence']:.0f}"
               for x in rep.ocr or []])
