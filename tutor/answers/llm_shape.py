"""The shape asked of an LLM answer (issue 19): the template's judgement handed to the model
as a hint — the verdict with its deciding line, the amount wanted first, or that the notes
do not cover the question — and the verdict read back from the model's first line."""
from __future__ import annotations

import re
from typing import Sequence

from retriever import Hit

from .evidence import Retrieval
from .shape import Judged, code_asked, missing_text

_YES_RE = re.compile(r"^\W*예\b|^\W*네\b|^\W*yes\b", re.I)
_NO_RE = re.compile(r"^\W*아니(?:요|오)\b|^\W*no\b", re.I)
_UNKNOWN_RE = re.compile(r"판단할\s*수\s*없|노트에서\s*(?:찾지\s*못|찾을\s*수\s*없)")


def _excerpt_of(hits: Sequence[Hit], source: str, line: int) -> int | None:
    return next((h.rank for h in hits if h.source == source and h.lines[0] <= line <= h.lines[1]), None)


def shape_hint(judged: Judged, ret: Retrieval, excerpts: Sequence[Hit] = ()) -> str:
    """The <판정> block of the answer request: what the first line must say, and why."""
    if not judged.covered:
        near = ret.sections[0].short_title if ret.sections else ""
        return ("<판정>노트 판정: 노트에 없음 — " + missing_text(judged.coverage, near) + "</판정>\n"
                "첫 줄을 '**노트에서 찾지 못했습니다** — '로 시작해 노트에 없는 것을 말하고, 가장 가까운 "
                "섹션 이름을 [번호]와 함께 알려 주세요. 발췌문에 없는 답을 지어내지 마세요.\n")
    v = judged.verdict
    if v is not None:
        said = {"yes": "예", "no": "아니요"}.get(v.value, "판단할 수 없음")
        why = ""
        if v.line is not None and ret.sections:
            n = _excerpt_of(excerpts, ret.sections[0].source, v.line.line)
            why = f" (근거 줄: \"{v.line.text[:200]}\"{f' [{n}]' if n else ''})"
        return (f"<판정>노트 판정: {said}{why}</판정>\n"
                "예/아니요 질문입니다. 첫 줄을 '**예** — ', '**아니요** — ' 또는 '**노트로는 판단할 수 없습니다** — '로 "
                "시작하고 판정을 가르는 노트 줄을 [번호]와 함께 인용한 뒤 이유를 쓰세요. 위 판정은 힌트이며, "
                "반대를 말하는 발췌 줄을 [번호]로 인용할 수 있을 때만 뒤집으세요. 확실하지 않으면 판단할 수 없다고 하세요.\n")
    if judged.qt.kind == "amount":
        return ("<판정>수치를 묻는 질문입니다.</판정>\n첫 줄에 묻는 수치를 단위와 함께 굵게 쓰고 "
                "(예: **$0.22 / DPU-시간**) 무엇의 수치인지 밝힌 뒤 [번호]를 붙이세요.\n")
    code = "" if code_asked(judged.ret.query, judged.qt) else " 코드 줄은 설명 뒤에 관련 내용으로 두세요."
    return f"첫 줄에 질문에 대한 답을 바로 쓰고, 그다음에 이유를 쓰세요.{code}\n"


def llm_verdict(text: str, judged: Judged) -> str | None:
    """The verdict the model's first line states; the template's when it states none."""
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    if _UNKNOWN_RE.search(first[:60]):
        return "unknown"
    if judged.polar and judged.covered:
        if _NO_RE.match(first):
            return "no"
        if _YES_RE.match(first):
            return "yes"
    return judged.verdict_value
