"""The bench's notes library measures the path e5fast runs now, not vectors another path left."""
from __future__ import annotations

from bench.lib.evalsets import EvalSet
from bench.lib.library import memo_embedder, open_library
from studyapp.settings import Settings
from tests.support.fakes import FakeEmbedder


class PathFake(FakeEmbedder):
    """The fake embedder with e5fast's `engine` / `load()` / `describe()` face: which passage
    path embeds is set by the test; every passage it embeds is counted."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path, self.engine, self.passages = path, object(), 0

    def load(self) -> "PathFake":
        return self

    def describe(self) -> dict:
        return {"id": self.id, "path": self.path, "query_path": "int8q"}

    def embed_batch(self, texts, is_query: bool):
        self.passages += 0 if is_query else len(texts)
        return super().embed_batch(texts, is_query)


def _set(tmp_path) -> EvalSet:
    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "s3.md").write_text("# S3\n\n객체 스토리지 서비스로 버킷에 파일을 저장한다.\n", encoding="utf-8")
    (corpus / "ec2.md").write_text("# EC2\n\n가상 서버를 시간 단위로 빌려 쓰는 서비스다.\n", encoding="utf-8")
    return EvalSet("tiny", corpus, [])


def test_an_index_another_path_embedded_is_embedded_again_once(tmp_path, tokenizer):
    ev, settings, out = _set(tmp_path), Settings(), tmp_path / "out"
    first = PathFake("bf16")
    open_library(ev, first, settings, settings.fusion, tokenizer, out)
    assert first.passages == 2
    same = PathFake("bf16")
    open_library(ev, same, settings, settings.fusion, tokenizer, out)
    assert same.passages == 0  # the same path: its vectors are reused
    other = PathFake("int8")
    lib = open_library(ev, other, settings, settings.fusion, tokenizer, out)
    assert other.passages == 2 and lib.searcher.index.manifest["embedder"]["path"] == "int8"
    again = PathFake("int8")
    open_library(ev, again, settings, settings.fusion, tokenizer, out)
    assert again.passages == 0


def test_through_the_query_memo_the_manifest_names_the_path(tmp_path, tokenizer, monkeypatch):
    """`bench.retrieval` opens its libraries through `memo_embedder`: the manifest must still
    say which path embedded, or every opening would embed again."""
    import bench.lib.library as library

    inner = PathFake("bf16")
    monkeypatch.setattr(library, "make_embedder", lambda spec, cache_dir: inner)
    ev, settings, out = _set(tmp_path), Settings(), tmp_path / "out"
    for _ in range(2):
        lib = open_library(ev, memo_embedder("e5fast", out), settings, settings.fusion, tokenizer, out)
    assert inner.passages == 2 and lib.searcher.index.manifest["embedder"]["path"] == "bf16"


def test_question_vectors_are_remembered_per_query_path(tmp_path, monkeypatch):
    import bench.lib.library as library

    made = iter([PathFake("bf16"), FakeEmbedder()])
    monkeypatch.setattr(library, "make_embedder", lambda spec, cache_dir: next(made))
    with_path, without = memo_embedder("e5fast", tmp_path), memo_embedder("fake", tmp_path)
    assert with_path.store != without.store  # the same id; the e5fast one names its query path
