import json
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from retriever import Indexer, IndexUnreadable, NotesLibrary, load_index
from retriever.store import current_generation

ROOT = Path(__file__).resolve().parents[2]

NOTES = {
    "aws/athena.md": "# 아테나\n\n## 파티션 프로젝션\n\n파티션 프로젝션은 메타스토어를 우회하여 쿼리 계획 시간을 줄인다.\n\n"
                     "## 워크그룹\n\n워크그룹은 쿼리당 스캔 한도를 둔다. BytesScannedCutoffPerQuery 설정.\n",
    "aws/ebs.md": "# EBS\n\nEBS 볼륨은 인스턴스가 종료되어도 데이터를 보존한다. 스냅샷으로 백업한다.\n",
    "history.txt": "조선 후기에는 상품 화폐 경제가 발달하였다.\n\n대동법 시행으로 공인이 등장하였다.\n",
}


def make_corpus(root: Path, notes=NOTES) -> Path:
    for rel, text in notes.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def small(tmp_path, embedder, tokenizer):
    corpus = make_corpus(tmp_path / "notes")
    lib = NotesLibrary(corpus, tmp_path / "index", embedder, tokenizer)
    first = lib.refresh()
    return lib, corpus, first


def test_manifest_and_files_no_pickle(small):
    lib, corpus, rep = small
    assert rep.files == 3 and rep.embedded == rep.chunks > 0
    gen = current_generation(lib.index_dir)
    manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == 3  # format 3: notes.jsonl and chunk pages
    notes = [json.loads(line) for line in (gen / "notes.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {n["source"] for n in notes} == set(NOTES) and all(n["text"] for n in notes)
    assert manifest["embedder"] == {"id": lib.embedder.id, "dim": lib.embedder.dim}
    assert set(manifest["files"]) == set(NOTES)
    assert all(len(f["sha256"]) == 64 for f in manifest["files"].values())
    assert len(manifest["chunk_ids"]) == manifest["counts"]["chunks"] == rep.chunks
    assert manifest["chunker"]["max_chars"] > 0 and manifest["built_at"]
    tokens = [json.loads(line) for line in (gen / "tokens.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(tokens) == rep.chunks and all(isinstance(t, list) for t in tokens)
    assert any("athena" in t or "아테나" in t for t in tokens)
    for npy in gen.rglob("*.npy"):
        np.load(npy, allow_pickle=False)  # raises if anything needed pickle
    assert not list(gen.rglob("*.pkl")) and not list(gen.rglob("*.pickle"))


def test_unchanged_corpus_embeds_nothing(small):
    lib, corpus, first = small
    again = lib.refresh()
    assert again.embedded == 0 and again.reused == first.chunks and not again.changed


def test_edit_reembeds_only_new_chunks_and_delete_vanishes(small):
    lib, corpus, first = small
    (corpus / "aws/ebs.md").write_text(NOTES["aws/ebs.md"] + "\nio2 볼륨은 높은 IOPS를 제공한다.\n", encoding="utf-8")
    rep = lib.refresh()
    assert rep.changed and 1 <= rep.embedded < first.chunks
    assert rep.reused == rep.chunks - rep.embedded
    assert any("io2" in h.text for h in lib.search("io2 IOPS", mode="keyword"))

    (corpus / "history.txt").unlink()
    rep = lib.refresh()
    assert rep.removed == 1 and rep.embedded == 0
    for mode in ("keyword", "semantic", "hybrid"):
        assert all(h.source != "history.txt" for h in lib.search("대동법 공인", mode=mode, k=10))


def test_corrupt_index_is_rebuilt_with_a_message(small):
    lib, corpus, first = small
    gen = current_generation(lib.index_dir)
    (gen / "vectors.npy").write_bytes(b"not a numpy file")
    with pytest.raises(IndexUnreadable):
        load_index(lib.index_dir)
    said = []
    rep = Indexer(corpus, lib.index_dir, lib.embedder, lib.tokenizer).update(report=said.append)
    assert rep.changed and rep.embedded == first.chunks
    assert len(said) >= 1 and "\n" not in said[0] and "unreadable" in said[0]
    assert load_index(lib.index_dir).chunks


def test_other_embedder_forces_rebuild(small, tmp_path):
    from tests.support.fakes import FakeEmbedder

    lib, corpus, first = small
    other = FakeEmbedder(dim=32)
    assert other.id != lib.embedder.id
    said = []
    rep = Indexer(corpus, lib.index_dir, other, lib.tokenizer).update(report=said.append)
    assert rep.embedded == rep.chunks and "embedder" in said[0]
    assert load_index(lib.index_dir).manifest["embedder"]["id"] == other.id


def test_garbage_current_pointer(small):
    lib, corpus, first = small
    (lib.index_dir / "CURRENT").write_text("../../etc", encoding="utf-8")
    with pytest.raises(IndexUnreadable):
        load_index(lib.index_dir)


KILLER = r"""
import os, time
from retriever import NotesLibrary
from retriever import bm25 as bm25mod
from tests.support.fakes import FakeEmbedder
real_save = bm25mod.BM25Index.save
def slow_save(self, directory):
    print("WRITING", flush=True)   # vectors.npy and dense.faiss are already in the temp folder
    time.sleep(60)
    real_save(self, directory)
bm25mod.BM25Index.save = slow_save
NotesLibrary({corpus!r}, {index!r}, FakeEmbedder()).refresh()
"""


def test_sigkill_midway_leaves_previous_index(small):
    lib, corpus, first = small
    before = current_generation(lib.index_dir)
    (corpus / "new.md").write_text("# 새 노트\n\n키네시스 데이터 스트림은 실시간 수집에 쓴다.\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-c", KILLER.format(corpus=str(corpus), index=str(lib.index_dir))],
                            cwd=str(ROOT), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout.readline().strip() == "WRITING"
        assert list(lib.index_dir.glob(".gen-*.tmp"))  # a half-written generation exists
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert current_generation(lib.index_dir) == before
    old = load_index(lib.index_dir)
    assert len(old.chunks) == first.chunks
    fresh = NotesLibrary(corpus, lib.index_dir, lib.embedder, lib.tokenizer)
    fresh._searcher = None
    from retriever import Searcher

    s = Searcher(old, lib.embedder, lib.tokenizer)
    assert s.search("파티션 프로젝션", mode="hybrid")[0].source == "aws/athena.md"
    # the next update finishes the job and sweeps the abandoned temp folder
    rep = fresh.refresh()
    assert rep.changed and not list(lib.index_dir.glob(".gen-*.tmp"))
    assert fresh.search("키네시스 스트림", mode="keyword")[0].source == "new.md"


def test_previous_generation_kept_one_round_and_reader_follows_current(small):
    lib, corpus, first = small
    g1 = current_generation(lib.index_dir)
    (corpus / "extra.md").write_text("# 추가\n\n세 번째 세대를 만드는 노트", encoding="utf-8")
    lib.refresh()
    g2 = current_generation(lib.index_dir)
    assert g1 != g2 and g1.is_dir()  # the previous generation survives one swap
    (corpus / "extra.md").write_text("# 추가\n\n네 번째 세대", encoding="utf-8")
    lib.refresh()
    g3 = current_generation(lib.index_dir)
    assert not g1.exists() and g2.is_dir() and g3.is_dir()
    assert {p.name for p in lib.index_dir.iterdir() if p.is_dir()} == {g2.name, g3.name}
    assert load_index(lib.index_dir).path == g3


def test_unchanged_refresh_reads_the_index_once(small, monkeypatch):
    from retriever import store

    lib, corpus, first = small
    calls = []
    real = store._load_generation
    monkeypatch.setattr(store, "_load_generation", lambda gen: calls.append(gen) or real(gen))
    fresh = NotesLibrary(corpus, lib.index_dir, lib.embedder, lib.tokenizer)
    rep = fresh.refresh()
    assert not rep.changed and len(calls) == 1
    assert fresh.search("파티션 프로젝션", mode="keyword")[0].source == "aws/athena.md"


def test_a_build_makes_each_keyword_field_once_and_frees_the_passage_path(tmp_path, tokenizer, monkeypatch):
    """Memory (issue 22): the BM25 fields served, calibrated and written are one object each,
    and the embedder is told once that a large build is done embedding passages."""
    import retriever.indexer as ri
    from retriever import bm25 as bm25mod
    from tests.support.fakes import FakeEmbedder

    built = []
    real = bm25mod.BM25Index.build.__func__
    monkeypatch.setattr(bm25mod.BM25Index, "build",
                        classmethod(lambda cls, docs: built.append(len(docs)) or real(cls, docs)))

    class Counting(FakeEmbedder):
        released = 0

        def release_passages(self) -> None:
            self.released += 1

    emb = Counting()
    small = NotesLibrary(make_corpus(tmp_path / "small"), tmp_path / "small-index", emb, tokenizer)
    assert small.refresh().embedded > 0 and emb.released == 0  # a small build (an edit) keeps it
    built.clear()
    monkeypatch.setattr(ri, "RELEASE_AFTER", 1)  # this corpus as a large build
    lib = NotesLibrary(make_corpus(tmp_path / "notes"), tmp_path / "index", emb, tokenizer)
    rep = lib.refresh()
    assert rep.embedded == rep.chunks > 0 and emb.released == 1
    assert built == [rep.chunks, rep.chunks]  # the terms' field and the bigram field, nothing rebuilt
    assert lib.search("파티션 프로젝션", mode="hybrid")[0].source == "aws/athena.md"
    assert not lib.refresh().changed and emb.released == 1  # nothing embedded: nothing to free
