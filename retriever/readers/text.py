"""Plain text notes: UTF-8 (with or without BOM), else a guess with CP949 for Korean Windows."""
from __future__ import annotations

from . import Extracted, Unreadable


def _hangul_count(text: str) -> int:
    return sum(1 for ch in text if "\uac00" <= ch <= "\ud7a3")


def _printable_ratio(text: str) -> float:
    if not text:
        return 1.0
    ok = sum(1 for ch in text if ch.isprintable() or ch in "\n\r\t")
    return ok / len(text)


def decode_bytes(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) for note bytes, or None when they are not text.

    UTF-8 (with or without BOM) first; only when that fails, charset-normalizer guesses,
    with a strict CP949 decode as the tie-breaker for Korean Windows files.
    """
    if b"\x00" in data[:8192]:
        return None
    try:
        return data.decode("utf-8-sig"), ("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8")
    except UnicodeDecodeError:
        pass
    candidates: list[tuple[str, str]] = []
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None:
            candidates.append((str(best), best.encoding))
    except Exception:  # detector failure is just "no guess"
        pass
    try:
        candidates.append((data.decode("cp949"), "cp949"))
    except UnicodeDecodeError:
        pass
    if not candidates:
        return None
    # Korean notes: prefer the reading with the most Hangul syllables.
    text, enc = max(candidates, key=lambda c: _hangul_count(c[0]))
    if _printable_ratio(text) < 0.9:
        return None
    return text, enc


def decode_text(data: bytes) -> tuple[str, str]:
    """Text with Unix line ends and its encoding; Unreadable for binary data."""
    decoded = decode_bytes(data)
    if decoded is None:
        raise Unreadable("binary or undecodable")
    text, enc = decoded
    return text.replace("\r\n", "\n").replace("\r", "\n"), enc


def read(data: bytes, name: str) -> Extracted:
    text, enc = decode_text(data)
    return Extracted(text, enc)
