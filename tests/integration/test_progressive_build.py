"""A first build serves keyword search before the vectors exist (issue 11, point 5):
the embedding of a real model is held at a gate, so the test sees both phases."""
from __future__ import annotations

import threading

import numpy as np

NOTES = {
    "kinesis.md": "# Kinesis\n\n키네시스 데이터 스트림은 샤드 단위로 처리량을 늘립니다.\n",
    "athena.md": "# Athena\n\n아테나 파티션 프로젝션은 메타스토어 조회 없이 파티션을 계산합니다.\n",
    "ebs.md": "# EBS\n\nEBS 볼륨은 인스턴스를 종료해도 데이터가 남는 블록 스토리지입니다.\n",
}


class GatedEmbedder:
    """The real embedder, whose passage embedding waits until the test opens the gate."""

    def __init__(self, real) -> None:
        self.real, self.gate, self.started = real, threading.Event(), threading.Event()
        self.id, self.dim = real.id, real.dim

    def prepare_passages(self):
        return self.real.prepare_passages()

    def embed_passages(self, texts, **options):
        self.started.set()
        assert self.gate.wait(timeout=120), "the test never opened the gate"
        return self.real.embed_passages(texts, **options)

    def __getattr__(self, name):  # anything else (describe, embed_batch, …) is the real model's
        return getattr(self.real, name)

    def embed_query_vector(self, text):
        return self.real.embed_query_vector(text)


def test_keyword_serves_while_vectors_build_then_hybrid_switches_on(tmp_path, embedder, tokenizer):
    from retriever import NotesLibrary

    corpus = tmp_path / "notes"
    corpus.mkdir()
    for name, text in NOTES.items():
        (corpus / name).write_text(text, encoding="utf-8")
    gated = GatedEmbedder(embedder)
    lib = NotesLibrary(corpus, tmp_path / "index", gated, tokenizer)
    build = lib.start_refresh()
    try:
        assert lib.wait_serving(timeout=60) and gated.started.wait(timeout=60)
        assert lib.live_modes == ("keyword",) and lib.status.building
        hits = lib.search("파티션 프로젝션", mode="keyword", k=1)
        assert hits[0].source == "athena.md"
        # asked for hybrid before the vectors exist: keyword hits, not an error or a wait
        assert lib.search("파티션 프로젝션", mode="hybrid", k=1)[0].source == "athena.md"
        assert not np.any(lib.similarities("파티션"))
        assert not (tmp_path / "index" / "CURRENT").exists()  # nothing half-built on disk
    finally:
        gated.gate.set()
        build.join(timeout=120)
    assert not build.is_alive() and not lib.status.building and not lib.status.error
    assert lib.live_modes == ("hybrid", "keyword", "semantic")
    assert lib.status.embedded == lib.status.to_embed == 3
    hits = lib.search("인스턴스를 꺼도 데이터가 남는 저장소", mode="semantic", k=1)
    assert hits[0].source == "ebs.md"
    assert (tmp_path / "index" / "CURRENT").exists()


def test_an_edited_note_is_reindexed_in_the_background_while_searches_go_on(seed_corpus, seed_index_copy,
                                                                           tmp_path, model_dir):
    import shutil
    import time

    from studyapp import StudyApp
    from studyapp.settings import Settings

    corpus = tmp_path / "corpus"
    shutil.copytree(seed_corpus, corpus)
    sa = StudyApp(Settings.from_env({}, model_dir=model_dir, data_dir=tmp_path / "data", corpus_dir=corpus, index_dir=seed_index_copy, watch_seconds=0.1))
    sa.open(report=lambda m: None)
    watcher = sa.watch()
    try:
        (corpus / "새 메모.md").write_text("# 메모\n\n파이어호스 전송 스트림은 버퍼 간격마다 S3에 씁니다. 감시테스트용어.\n",
                                        encoding="utf-8")
        deadline = time.monotonic() + 120
        answered = 0
        while time.monotonic() < deadline:  # searches keep answering until the new note is in
            hits = sa.search("감시테스트용어", "keyword", 3)
            answered += 1
            if hits and hits[0].source == "새 메모.md":
                break
            time.sleep(0.05)  # poll interval of the wait, not a wait for a fixed time
        else:
            raise AssertionError("the edited note never reached the index")
        assert answered >= 1 and sa.search("파티션", "keyword", 1)  # the old notes stay searchable
    finally:
        watcher.stop()
