"""Item snapshots: input checks, the source-text hash, and rows ⇄ `tutor.common.types.QuizItem`."""
from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from typing import Any, Mapping

from tutor.common.types import QUIZ_KINDS, QuizItem, SourceRef

from .errors import InvalidAnswer, InvalidInput
from .models import ITEM_ID_LEN, ITEMS, USER_LEN

MAX_ANSWER_CHARS = 4000
MAX_SECTION_CHARS = 500

ITEM_COLUMNS = (ITEMS.c.id, ITEMS.c.kind, ITEMS.c.question, ITEMS.c.options, ITEMS.c.answer,
                ITEMS.c.explanation, ITEMS.c.source, ITEMS.c.heading, ITEMS.c.line_start,
                ITEMS.c.line_end, ITEMS.c.page)


def source_hash(text: str) -> str:
    """SHA-256 of a source text, insensitive to line endings and trailing spaces."""
    norm = unicodedata.normalize("NFC", text or "")
    norm = "\n".join(line.rstrip() for line in norm.splitlines()).strip("\n")
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ItemContext:
    """An item as the caller shows it: the item, its top-level section, its source-text hash."""

    item: QuizItem
    section: str
    source_hash: str

    @classmethod
    def from_text(cls, item: QuizItem, section: str, source_text: str) -> "ItemContext":
        return cls(item, section, source_hash(source_text))


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in text)


def check_user(user: str) -> str:
    """A user id: non-empty, at most 128 characters, no control characters (trimmed)."""
    if not isinstance(user, str) or not user.strip():
        raise InvalidInput("사용자 ID가 비어 있습니다 (empty user id)")
    user = user.strip()
    if len(user) > USER_LEN or _has_control(user):
        raise InvalidInput(f"사용자 ID는 제어 문자 없이 {USER_LEN}자 이하여야 합니다 (bad user id): {user[:40]!r}")
    return user


def check_item_id(item_id: str) -> str:
    if not isinstance(item_id, str) or not item_id.strip():
        raise InvalidInput("문제 ID가 비어 있습니다 (empty item id)")
    item_id = item_id.strip()
    if len(item_id) > ITEM_ID_LEN or _has_control(item_id):
        raise InvalidInput(f"문제 ID가 올바르지 않습니다 (bad item id): {item_id[:40]!r}")
    return item_id


def check_answer(given: str) -> str:
    """The learner's answer as given; empty or longer than 4000 characters is refused."""
    if not isinstance(given, str) or not given.strip():
        raise InvalidAnswer("답이 비어 있습니다 (empty answer)")
    if len(given) > MAX_ANSWER_CHARS:
        raise InvalidAnswer(f"답이 너무 깁니다: {len(given):,}자 (최대 {MAX_ANSWER_CHARS:,}자) (answer too long)")
    return given


def check_context(ctx: ItemContext) -> None:
    if not isinstance(ctx, ItemContext):
        raise InvalidInput(f"출제 항목 형식이 아닙니다 (not an ItemContext): {type(ctx).__name__}")
    it = ctx.item
    if not isinstance(it, QuizItem):
        raise InvalidInput(f"퀴즈 문항이 아닙니다 (not a QuizItem): {type(it).__name__}")
    check_item_id(it.id)
    if it.kind not in QUIZ_KINDS:
        raise InvalidInput(f"알 수 없는 문항 유형입니다 (unknown kind): {it.kind!r}")
    if not isinstance(ctx.section, str) or len(ctx.section) > MAX_SECTION_CHARS:
        raise InvalidInput(f"섹션 이름이 올바르지 않습니다 (bad section): {str(ctx.section)[:40]!r}")
    if not isinstance(ctx.source_hash, str) or not 0 < len(ctx.source_hash) <= 64:
        raise InvalidInput(f"원문 해시가 올바르지 않습니다 (bad source hash): {it.id}")


def item_values(ctx: ItemContext) -> dict[str, Any]:
    """Column values of an item snapshot (without timestamps)."""
    it = ctx.item
    return {"id": it.id.strip(), "kind": it.kind, "question": it.question, "options": list(it.options),
            "answer": it.answer, "explanation": it.explanation, "source": it.source.source,
            "heading": it.source.heading, "line_start": int(it.source.lines[0]),
            "line_end": int(it.source.lines[1]), "page": it.source.page, "section": ctx.section.strip(),
            "source_hash": ctx.source_hash}


def row_to_item(row: Mapping[str, Any]) -> QuizItem:
    return QuizItem(id=row["id"], kind=row["kind"], question=row["question"],
                    options=tuple(row["options"] or ()), answer=row["answer"],
                    explanation=row["explanation"],
                    source=SourceRef(row["source"], row["heading"], (row["line_start"], row["line_end"]),
                                     row.get("page")),
                    section=row.get("section") or "")
