"""Notes management for the app: list the corpus, save uploads safely, report the index state.

Uploads are the only place where the web app writes into the corpus, so every rule lives
here: a size limit, a sanitised file name (no folders, no hidden or reserved names), text
only, an atomic write into the corpus folder itself, and never a silent overwrite.
"""
from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from retriever.fsutil import atomic_write
from retriever.loader import iter_note_paths, load_note
from retriever.readers import FORMATS, SUFFIXES, Unreadable, format_of, read_bytes
from retriever.readers.text import decode_bytes
from retriever.types import Skipped
from tutor.common.particles import particle

ALLOWED_SUFFIXES = SUFFIXES  # every format the notes folder is read in
MAX_UPLOAD_BYTES = 2 * 1024 * 1024  # text notes: 2 MiB is a very long note
# Other formats carry layout and pictures: a lecture PDF (or a scanned one) or a Word summary is
# larger; a scan or photo of a page is read by OCR when indexing (20 MB: a phone's full photo).
IMAGE_SUFFIXES = next(f.suffixes for f in FORMATS if f.module == "image")
MAX_UPLOAD_BYTES_BY_SUFFIX = {".pdf": 50 * 1024 * 1024, ".docx": 20 * 1024 * 1024,
                              ".html": 5 * 1024 * 1024, ".htm": 5 * 1024 * 1024,
                              **{s: 20 * 1024 * 1024 for s in IMAGE_SUFFIXES}}
MAX_NAME_BYTES = 180  # well under the usual 255-byte file-name limit, room for "-99"
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                     *(f"lpt{i}" for i in range(1, 10))}
_BAD_CHARS = re.compile(r"[^\w\-. ()]")  # \w is Unicode: Hangul stays


class UploadError(ValueError):
    """An upload was refused; the message is one Korean line for the user."""


@dataclass(frozen=True)
class SavedNote:
    source: str  # path relative to the corpus root (POSIX)
    bytes: int
    requested_name: str
    renamed: bool  # saved under another name because the requested one was taken
    unchanged: bool = False  # an identical file was already there; nothing written

    def message(self) -> str:
        if self.unchanged:
            return f"같은 내용의 노트가 이미 있습니다: {self.source} (저장하지 않음)"
        if self.renamed:
            return (f"'{self.requested_name}' 이름이 이미 있어 '{self.source}'{particle(self.source, '(으)로')} 저장했습니다 "
                    f"({self.bytes:,} 바이트).")
        return f"저장했습니다: {self.source} ({self.bytes:,} 바이트)."


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sanitize_filename(name: str) -> str:
    """A safe single-component file name for an uploaded note, or UploadError.

    Folders are dropped (both / and \\), Unicode is NFC-normalised, control and shell-special
    characters become "_", leading dots go (no hidden files), and the suffix must be a note
    suffix. Korean names stay Korean.
    """
    raw = (name or "").replace("\\", "/").split("/")[-1]
    raw = unicodedata.normalize("NFC", raw)
    raw = "".join(ch for ch in raw if unicodedata.category(ch)[0] != "C")  # controls, NUL, etc.
    raw = raw.strip().lstrip(".").strip()
    stem, dot, suffix = raw.rpartition(".")
    if not dot:
        raise UploadError(f"노트 파일은 {', '.join(ALLOWED_SUFFIXES)} 형식만 올릴 수 있습니다: {name!r}")
    suffix = "." + suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise UploadError(f"노트 파일은 {', '.join(ALLOWED_SUFFIXES)} 형식만 올릴 수 있습니다 "
                          f"(받은 형식: {suffix})")
    stem = _BAD_CHARS.sub("_", stem)
    stem = re.sub(r"\s+", " ", stem)
    stem = re.sub(r"_{2,}", "_", stem).strip(" ._")
    if not stem or set(stem) <= {"_", "."}:
        stem = "note"
    if stem.split(".")[0].lower() in _WINDOWS_RESERVED:
        stem = f"note_{stem}"
    while len((stem + suffix).encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return stem + suffix


def upload_limit(name: str, default: int = MAX_UPLOAD_BYTES) -> int:
    """The size limit of an upload of this file type."""
    return MAX_UPLOAD_BYTES_BY_SUFFIX.get(Path(name).suffix.lower(), default)


def _size(n: int) -> str:
    if n >= 2**20:
        return f"{n // 2**20} MB" if n % 2**20 == 0 else f"{n / 2**20:.1f} MB"
    return f"{n:,} 바이트"


def _too_big(size: int, max_bytes: int) -> str:
    return f"파일이 너무 큽니다: {_size(size)} (최대 {_size(max_bytes)})"


def _read_upload(data: bytes | str | os.PathLike, name: str, max_bytes: int) -> bytes:
    """The uploaded bytes (from memory or the uploaded temporary file), size-checked and
    readable as notes by the reader of their format (the same one the index uses)."""
    if isinstance(data, (str, os.PathLike)):
        src = Path(data)
        try:
            size = src.stat().st_size
            if size > max_bytes:
                raise UploadError(_too_big(size, max_bytes))
            with open(src, "rb") as f:
                blob = f.read(max_bytes + 1)
        except OSError as exc:
            raise UploadError(f"올린 파일을 읽을 수 없습니다: {exc}") from None
    else:
        blob = bytes(data)
    if len(blob) > max_bytes:
        raise UploadError(_too_big(len(blob), max_bytes))
    if not blob.strip():
        raise UploadError("빈 파일은 올릴 수 없습니다.")
    fmt = format_of(name)
    if fmt is not None and fmt.module in ("markdown", "text"):
        if decode_bytes(blob) is None:
            raise UploadError("텍스트 노트가 아닙니다 (바이너리이거나 인코딩을 알 수 없음).")
        return blob
    try:
        read_bytes(blob, name)
    except Unreadable as exc:
        raise UploadError(f"노트로 읽을 수 없는 파일입니다: {exc}") from None
    except Exception as exc:  # a reader library failing on a strange file
        raise UploadError(f"노트로 읽을 수 없는 파일입니다 ({type(exc).__name__})") from None
    return blob


def save_upload(corpus_dir: str | os.PathLike, data: bytes | str | os.PathLike, name: str | None = None,
                *, overwrite: bool = False, max_bytes: int | None = None) -> SavedNote:
    """Save one uploaded note into the top level of `corpus_dir`.

    `data` is the file's bytes or the path of the uploaded temporary file (then `name`
    defaults to its base name). The note must be readable in its format (text, PDF with a
    text layer, Word, HTML) and no larger than `max_bytes` (default: the type's limit).
    When the name is taken: identical content → nothing written (`unchanged`); different
    content → saved as "<stem>-2<suffix>" etc. (`renamed`) unless `overwrite` is set, in which
    case the file is replaced atomically.
    """
    corpus = Path(corpus_dir)
    if not corpus.is_dir():
        raise UploadError(f"노트 폴더가 없습니다: {corpus}")
    if name is None and isinstance(data, (str, os.PathLike)):
        name = Path(data).name
    requested = name or ""
    safe = sanitize_filename(requested)
    blob = _read_upload(data, safe, max_bytes if max_bytes is not None else upload_limit(safe))
    target = corpus / safe
    # The name is one plain component, so the file lands directly in the corpus folder.
    # (A symlink already sitting at that name is never written through: see below.)
    if "/" in safe or "\\" in safe or safe in (".", "..") or target.parent.resolve() != corpus.resolve():
        raise UploadError("노트 폴더 밖에는 저장할 수 없습니다.")  # unreachable after sanitising
    stem, suffix = target.stem, target.suffix
    n = 1
    while n < 1000:
        target = corpus / (safe if n == 1 else f"{stem}-{n}{suffix}")
        renamed = n > 1
        if target.is_symlink() or target.exists():
            if _same_content(target, blob):
                return SavedNote(target.name, len(blob), requested, renamed, unchanged=True)
            if overwrite and target.is_file() and not target.is_symlink():
                atomic_write(target, blob, replace=True)
                return SavedNote(target.name, len(blob), requested, renamed)
            n += 1
            continue
        try:
            atomic_write(target, blob, replace=False)  # a hard link: never overwrites
        except FileExistsError:  # another upload took the name meanwhile: look at it again
            continue
        return SavedNote(target.name, len(blob), requested, renamed)
    raise UploadError("같은 이름의 파일이 너무 많습니다.")


def _same_content(target: Path, blob: bytes) -> bool:
    if not target.is_file() or target.is_symlink():
        return False
    try:
        return _sha256(target.read_bytes()) == _sha256(blob)
    except OSError:
        return False


# -- listing and status -------------------------------------------------------------------

@dataclass(frozen=True)
class NoteRow:
    source: str
    chunks: int  # chunks in the live index (0 when not indexed)
    size: int  # bytes on disk (0 when the file is gone)
    status: str  # Korean: 색인됨 / 건너뜀 / 새 파일 / 변경됨 / 삭제됨

    @property
    def needs_reindex(self) -> bool:
        return not self.status.startswith(("색인됨", "건너뜀"))


def list_notes(corpus_dir: str | os.PathLike, manifest: dict | None) -> list[NoteRow]:
    """Corpus files with their chunk counts in the index, and whether the index is behind."""
    corpus = Path(corpus_dir)
    indexed = (manifest or {}).get("files", {})
    skipped = {s["path"] for s in (manifest or {}).get("skipped", [])}
    rows: list[NoteRow] = []
    seen: set[str] = set()
    for path in iter_note_paths(corpus) if corpus.is_dir() else []:
        source = path.relative_to(corpus).as_posix()
        seen.add(source)
        try:
            data = path.read_bytes()
        except OSError:
            continue
        meta = indexed.get(source)
        if meta is None and source in skipped:
            # the last build could not read it; unless it became readable, that still holds
            now = load_note(path, corpus)
            status = f"건너뜀 — {now.reason}" if isinstance(now, Skipped) else "새 파일 — 재색인 필요"
        elif meta is None:
            status = "새 파일 — 재색인 필요"
        elif meta.get("sha256") != _sha256(data):
            status = "변경됨 — 재색인 필요"
        else:
            status = "색인됨" + scan_words(meta.get("ocr"))
        rows.append(NoteRow(source, int(meta.get("chunks", 0)) if meta else 0, len(data), status))
    for source, meta in sorted(indexed.items()):
        if source not in seen:
            rows.append(NoteRow(source, int(meta.get("chunks", 0)), 0, "삭제됨 — 재색인 필요"))
    return rows


def scan_words(ocr: dict | None) -> str:
    """What 노트 관리 says about a note's scanned pages (after "색인됨"): how many were recognised,
    those under the confidence floor (`인식 품질 낮음`), pages still to read or skipped."""
    if not ocr:
        return ""
    words = [f"스캔 {len(ocr.get('recognised', []))}쪽 인식 (OCR)"]
    if ocr.get("low"):
        words.append("인식 품질 낮음 " + ", ".join(f"p. {p} (신뢰도 {c:.0f})" for p, c in ocr["low"]))
    if ocr.get("pending"):
        words.append(f"인식 대기 {len(ocr['pending'])}쪽")
    if ocr.get("skipped"):
        words.append(f"일부 건너뜀: {ocr['skipped']}")
    return " · " + " · ".join(words)


def index_status(manifest: dict | None, index_dir: str | os.PathLike | None = None,
                 rows: list[NoteRow] | None = None) -> dict:
    """The live index in a few fields (files, chunks, embedder, build time, up to date)."""
    m = manifest or {}
    counts = m.get("counts", {})
    emb = m.get("embedder", {})
    return {
        "files": int(counts.get("files", len(m.get("files", {})))),
        "chunks": int(counts.get("chunks", len(m.get("chunk_ids", [])))),
        "skipped": int(counts.get("skipped", 0)),
        "embedder": emb.get("id", "?") + (f" · {emb['path']}" if emb.get("path") else ""),  # e5fast's path
        "dim": emb.get("dim"),
        "built_at": m.get("built_at", "?"),
        "build_seconds": m.get("build_seconds"),
        "index_dir": str(index_dir) if index_dir is not None else None,
        "up_to_date": None if rows is None else not any(r.needs_reindex for r in rows),
    }
