"""Notes management: safe uploads into the corpus, file listing with chunk counts, index status."""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from studyapp.notes import (MAX_NAME_BYTES, UploadError, index_status, list_notes, sanitize_filename,
                         save_upload)

NOTE = "# 제목\n\n파티션 프로젝션은 메타스토어를 우회합니다.\n".encode("utf-8")


@pytest.fixture
def corpus(tmp_path) -> Path:
    d = tmp_path / "corpus"
    d.mkdir()
    return d


@pytest.mark.parametrize("given, expected", [
    ("노트 정리.md", "노트 정리.md"),
    ("../../etc/passwd.md", "passwd.md"),
    ("..\\..\\windows\\evil.txt", "evil.txt"),
    ("/abs/path/x.MD", "x.md"),
    (".hidden.md", "hidden.md"),
    ("a<script>b.md", "a_script_b.md"),
    ("tab\there\x00.md", "tabhere.md"),
    ("CON.md", "note_CON.md"),
    ("$(rm -rf).md", "(rm -rf).md"),
])
def test_sanitize_filename(given, expected):
    assert sanitize_filename(given) == expected


@pytest.mark.parametrize("bad", ["x.exe", "noext", "x.md.sh", "", "....md"])
def test_sanitize_rejects_non_notes(bad):
    with pytest.raises(UploadError):
        sanitize_filename(bad)


def test_sanitize_limits_length_in_bytes():
    name = sanitize_filename("가" * 300 + ".md")
    assert name.endswith(".md") and len(name.encode()) <= MAX_NAME_BYTES


def test_save_upload_writes_into_corpus_only(corpus, tmp_path):
    saved = save_upload(corpus, NOTE, "../../outside.md")
    assert saved.source == "outside.md" and not saved.renamed
    assert (corpus / "outside.md").read_bytes() == NOTE
    assert not (tmp_path / "outside.md").exists()
    assert [p.name for p in corpus.iterdir()] == ["outside.md"]  # no temp files left behind


def test_save_upload_from_temp_path_uses_its_name(corpus, tmp_path):
    src = tmp_path / "업로드 노트.txt"
    src.write_bytes(NOTE)
    saved = save_upload(corpus, src)
    assert saved.source == "업로드 노트.txt" and (corpus / saved.source).read_bytes() == NOTE


def test_no_silent_overwrite(corpus):
    (corpus / "a.md").write_bytes(NOTE)
    other = NOTE + "추가 내용\n".encode()
    saved = save_upload(corpus, other, "a.md")
    assert saved.renamed and saved.source == "a-2.md"
    assert (corpus / "a.md").read_bytes() == NOTE  # original untouched
    assert (corpus / "a-2.md").read_bytes() == other
    assert "a-2.md" in saved.message()
    # identical content: nothing written, and said so
    again = save_upload(corpus, NOTE, "a.md")
    assert again.unchanged and again.source == "a.md"
    assert sorted(p.name for p in corpus.iterdir()) == ["a-2.md", "a.md"]


def test_overwrite_when_asked_is_atomic_replace(corpus):
    (corpus / "a.md").write_bytes(NOTE)
    ino = (corpus / "a.md").stat().st_ino
    new = "# 새 내용\n".encode()
    saved = save_upload(corpus, new, "a.md", overwrite=True)
    assert saved.source == "a.md" and not saved.renamed
    assert (corpus / "a.md").read_bytes() == new
    assert (corpus / "a.md").stat().st_ino != ino  # a new file renamed into place


def test_symlink_in_corpus_is_not_followed(corpus, tmp_path):
    victim = tmp_path / "victim.md"
    victim.write_bytes(b"keep me")
    os.symlink(victim, corpus / "link.md")
    saved = save_upload(corpus, NOTE, "link.md", overwrite=True)
    assert victim.read_bytes() == b"keep me"
    assert saved.source == "link-2.md"


def test_size_limit(corpus, tmp_path):
    with pytest.raises(UploadError, match="너무 큽니다"):
        save_upload(corpus, b"a" * 101, "big.md", max_bytes=100)
    src = tmp_path / "big.md"
    src.write_bytes(b"a" * 101)
    with pytest.raises(UploadError, match="너무 큽니다"):
        save_upload(corpus, src, max_bytes=100)
    assert list(corpus.iterdir()) == []


@pytest.mark.parametrize("blob", [b"", b"   \n", b"\x00\x01\x02binary" * 10])
def test_rejects_empty_and_binary(corpus, blob):
    with pytest.raises(UploadError):
        save_upload(corpus, blob, "x.md")
    assert list(corpus.iterdir()) == []


def test_concurrent_uploads_of_one_name_never_clobber(corpus):
    blobs = [f"# 노트 {i}\n내용 {i}\n".encode() for i in range(8)]
    results = []
    threads = [threading.Thread(target=lambda b=b: results.append(save_upload(corpus, b, "same.md")))
               for b in blobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    files = sorted(p for p in corpus.iterdir())
    assert len(files) == 8
    assert sorted(p.read_bytes() for p in files) == sorted(blobs)
    assert len({r.source for r in results}) == 8


def test_list_notes_and_status(seed_corpus, seed_index_dir, tmp_path, embedder):
    from retriever.store import read_manifest

    corpus = tmp_path / "corpus"
    shutil.copytree(seed_corpus, corpus)
    manifest = read_manifest(seed_index_dir)
    rows = list_notes(corpus, manifest)
    assert [r.source for r in rows] == ["0910-aws-data-engineering.md"]
    assert rows[0].chunks == manifest["files"]["0910-aws-data-engineering.md"]["chunks"] > 0
    assert rows[0].status == "색인됨"
    st = index_status(manifest, seed_index_dir, rows)
    assert st["files"] == 1 and st["chunks"] == rows[0].chunks
    assert st["embedder"] == embedder.id and st["dim"] == embedder.dim
    assert st["up_to_date"] is True and st["build_seconds"] > 0

    save_upload(corpus, NOTE, "new.md")
    os.chmod(corpus / "0910-aws-data-engineering.md", 0o644)
    with open(corpus / "0910-aws-data-engineering.md", "ab") as f:
        f.write("\n추가\n".encode())
    rows = {r.source: r for r in list_notes(corpus, manifest)}
    assert rows["new.md"].status.startswith("새 파일") and rows["new.md"].chunks == 0
    assert rows["0910-aws-data-engineering.md"].status.startswith("변경됨")
    assert index_status(manifest, None, list(rows.values()))["up_to_date"] is False
    (corpus / "0910-aws-data-engineering.md").unlink()
    rows = {r.source: r for r in list_notes(corpus, manifest)}
    assert rows["0910-aws-data-engineering.md"].status.startswith("삭제됨")


def test_skipped_file_is_not_reported_as_needing_reindex(tmp_path, embedder, tokenizer):
    from retriever import NotesLibrary
    from studyapp.notes import index_status, list_notes

    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "a.md").write_text("# 제목\n\n레드시프트 데이터 공유", encoding="utf-8")
    (corpus / "empty.md").write_bytes(b"")
    lib = NotesLibrary(corpus, tmp_path / "index", embedder, tokenizer)
    lib.refresh()
    rows = {r.source: r for r in list_notes(corpus, lib.manifest)}
    assert rows["empty.md"].status.startswith("건너뜀") and not rows["empty.md"].needs_reindex
    assert index_status(lib.manifest, rows=list(rows.values()))["up_to_date"] is True
    (corpus / "empty.md").write_text("이제 내용이 있는 노트", encoding="utf-8")
    rows = {r.source: r for r in list_notes(corpus, lib.manifest)}
    assert rows["empty.md"].needs_reindex and rows["empty.md"].status.startswith("새 파일")
