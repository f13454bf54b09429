"""How study objects are named to people: quiz kind labels, option letters, note locations.

The one home of these words: the CLI, the web app, grading feedback and exports use them.
"""
from __future__ import annotations

import re

KIND_LABELS: dict[str, str] = {"mcq": "객관식", "ox": "OX", "short": "단답형", "cloze": "빈칸 채우기",
                               "flashcard": "플래시카드"}
OPTION_LETTERS = "ABCD"  # multiple-choice options are shown and answered as A–D
CHOICE_KINDS = ("mcq", "ox")  # kinds answered by picking an option


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


SCANNED = "스캔"  # said after the page of text recognised from a scan or photo (OCR): "p. 3 · 스캔"
RECOGNISED_NOTE = "스캔에서 인식한 텍스트 (OCR) — 원본과 글자가 다를 수 있습니다"


def location(source: str, lines: tuple[int, int], page: int | None = None, ocr: bool = False) -> str:
    """`file.md:12-20`, or `file.pdf p. 12` for a paged file (`p. 12 · 스캔` when its text was
    recognised from a scan) — a place in the notes in plain text (CLI, API, exports). Lines of a
    PDF are lines of its extracted text: the page is what a learner can find."""
    if page is not None:
        return f"{source} {lines_ko(lines, page, ocr)}"
    return f"{source}:{lines[0]}-{lines[1]}"


def lines_ko(lines: tuple[int, int], page: int | None = None, ocr: bool = False) -> str:
    """`12–20행` (or `12행` for one line, `p. 12` for a page, `p. 3 · 스캔` for a page whose text
    was recognised from a scan or photo) — a place for Korean display."""
    if page is not None:
        return f"p. {page} · {SCANNED}" if ocr else f"p. {page}"
    a, b = lines
    return f"{a}–{b}행" if a != b else f"{a}행"


RATING_LABELS: dict[str, str] = {"again": "다시", "hard": "어려움", "good": "좋음", "easy": "쉬움"}
# why an item is in today's review queue, read as "복습할 때가 된 문제 2개 · 약한 단원의 문제 1개"
REASON_LABELS: dict[str, str] = {"due": "복습할 때가 된 문제", "weak": "약한 단원의 문제", "new": "아직 안 푼 문제"}


# the notes' own labels on a list heading: "데이터 복사 방식 (오답)" marks the wrong approach
_LABEL_TAGS = (("오답", "잘못된 방식"), ("부분적", "부분적으로만 맞는 방식"), ("부분 정답", "부분적으로만 맞는 방식"),
               ("정답", "맞는 방식"))
_LABEL_TAG_RE = re.compile(r"\s*\((오답|부분적|부분 정답|정답)\)\s*$")
_LABEL_MARKS = (("❌", "피해야 할 것"), ("✖", "피해야 할 것"), ("🔶", "주의할 점"), ("✅", ""), ("✔️", ""), ("✔", ""))
_LETTER_RE = re.compile(r"^\(?[A-Ea-e][.)]\s+")


def readable_label(label: str) -> str:
    """A list heading of the notes as words a learner reads correctly: the notes' tags and
    marks become words ("데이터 복사 방식 (오답)" → "잘못된 방식: 데이터 복사", "❌ 실시간 처리" →
    "피해야 할 것: 실시간 처리"), so a card never looks as if the app had marked it wrong; an
    exam letter ("A. ") and a closing colon go."""
    text = " ".join(label.replace("**", "").split()).rstrip(":").strip()
    text = _LETTER_RE.sub("", text)
    prefix = ""
    for mark, words in _LABEL_MARKS:
        if text.startswith(mark):
            text, prefix = text[len(mark):].strip(), words
            break
    m = _LABEL_TAG_RE.search(text)
    if m:
        text = text[:m.start()].strip()
        prefix = dict(_LABEL_TAGS)[m.group(1)]
        if prefix.endswith("방식") and text.endswith(" 방식"):
            text = text[: -len(" 방식")].strip()
    return f"{prefix}: {text}" if prefix and text else (text or prefix)
