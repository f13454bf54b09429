import pytest

from retriever import QueryError, Searcher
from retriever.highlight import mark, match_spans
from retriever.langchain import NotesRetriever
from retriever.search import FusionConfig, prepare_query

CASES = [
    ("파티션을 인덱스로 최적화", "2. Amazon Athena 파티션 성능 최적화"),
    ("아테나 워크그룹에서 스파크 쓰는 법", "7. Amazon Athena Workgroup"),
    ("레드시프트 클러스터 간 데이터 공유", "3. Amazon Redshift Data Sharing"),
    ("그래비톤 인스턴스로 EMR 비용 절감", "4. Amazon EMR Graviton"),
    ("BytesScannedCutoffPerQuery", "7. Amazon Athena Workgroup"),
    ("m6g.2xlarge", "4. Amazon EMR Graviton"),
    ("get_asset", "1. AWS Data Exchange"),
    ("How do I keep data after an EC2 instance terminates?", "5. EC2 데이터 영속성"),
    ("글루 작업을 싸게 돌리는 실행 클래스", "6. AWS Glue FLEX"),
]


@pytest.mark.parametrize("query,section", CASES)
def test_hybrid_top_hit_is_the_section(seed_library, query, section):
    hits = seed_library.search(query, mode="hybrid", k=3)
    assert hits and section in hits[0].heading
    assert [h.rank for h in hits] == [1, 2, 3]
    assert hits[0].score >= hits[-1].score


def test_modes_return_hits_with_fields(seed_library):
    for mode in ("keyword", "semantic", "hybrid"):
        hits = seed_library.search("파티션 프로젝션 설정", mode=mode, k=4)
        assert 1 <= len(hits) <= 4
        h = hits[0]
        assert h.source == "0910-aws-data-engineering.md" and h.lines[0] <= h.lines[1]
        d = h.to_dict()
        assert set(d) == {"rank", "source", "heading", "lines", "page", "score", "text"}
        assert d["page"] is None  # a Markdown note has no pages


def test_keyword_matches_inflected_forms(seed_library):
    hits = seed_library.search("파티션이", mode="keyword", k=3)
    assert hits and all("파티션" in h.text or "partition" in h.text.lower() for h in hits)


def test_bad_queries_never_crash(seed_library):
    for q in ["", "   "]:
        with pytest.raises(QueryError):
            seed_library.search(q)
    before = [h.source for h in seed_library.search("파티션", mode="keyword", k=3)]
    for mode in ("keyword", "semantic", "hybrid"):
        for q in ("은는이가", "'; DROP TABLE chunks; -- OR 1=1"):
            hits = seed_library.search(q, mode=mode, k=4)
            assert len(hits) <= 4 and [h.rank for h in hits] == list(range(1, len(hits) + 1))
            assert all(a.score >= b.score for a, b in zip(hits, hits[1:]))
        # particles alone are no keyword; the cosine side still ranks every chunk
        assert (len(seed_library.search("은는이가", mode=mode, k=4)) == 0) == (mode == "keyword")
    assert [h.source for h in seed_library.search("파티션", mode="keyword", k=3)] == before
    long = "파티션 " * 20000
    assert prepare_query(long).truncated
    assert seed_library.search(long, mode="hybrid")
    with pytest.raises(QueryError):
        seed_library.search("x", mode="fuzzy")


def test_source_filter(seed_library, tmp_path):
    hits = seed_library.search("파티션", mode="hybrid", sources={"0910-aws-data-engineering.md"})
    assert hits and all(h.source == "0910-aws-data-engineering.md" for h in hits)
    assert seed_library.search("파티션", mode="keyword", sources={"nope.md"}) == []


def test_rrf_fusion_is_available(seed_library):
    s = Searcher(seed_library.searcher.index, seed_library.embedder, seed_library.tokenizer,
                 FusionConfig(method="rrf"))
    hits = s.search("그래비톤 비용", k=3)
    assert "Graviton" in hits[0].heading


def test_langchain_retriever(seed_library):
    r = NotesRetriever(searcher=seed_library, k=2, mode="keyword")
    docs = r.invoke("레드시프트 데이터 공유")
    assert len(docs) == 2
    assert "Redshift" in docs[0].metadata["heading"] and docs[0].metadata["source"].endswith(".md")


def test_embedders_are_langchain_embeddings(seed_library):
    from langchain_core.embeddings import Embeddings

    assert isinstance(seed_library.embedder, Embeddings)  # registered by retriever.langchain
    assert len(seed_library.embedder.embed_documents(["하나", "둘"])) == 2


def test_highlight_by_kiwi_tokens(tokenizer):
    text = "Athena 파티션 프로젝션은 메타스토어를 우회한다"
    spans = match_spans(text, "파티션을 우회하는 방법", tokenizer)
    marked = mark(text, spans, "[", "]")
    assert "[파티션]" in marked and "[우회]" in marked
    html = mark("<b>파티션</b>", match_spans("<b>파티션</b>", "파티션", tokenizer), "<mark>", "</mark>",
                escape=__import__("html").escape)
    assert "<b>" not in html and "<mark>파티션</mark>" in html


class _WaitsForKeywordSide:
    """Wraps the fake embedder: a question's model run waits until the keyword side of that
    question has been scored — in sequence that never happens, so the run would time out."""

    def __init__(self, inner, scored) -> None:
        self.inner, self.scored = inner, scored
        self.ran_in: list[str] = []

    def query_job(self, text):
        import threading

        def run():
            self.ran_in.append(threading.current_thread().name)
            assert self.scored.wait(timeout=10), "the keyword side was not scored during the model run"
            return self.inner.embed_query_vector(text)
        return run

    def __getattr__(self, name):
        return getattr(self.inner, name)


def test_hybrid_scores_the_keyword_side_during_the_model_run(seed_library):
    """`Searcher.both_sides`: the question's model run (this thread) and its keyword side (a
    helper thread) at once, with the same hits and weights as the two in sequence."""
    import threading

    s = seed_library.searcher
    scored = threading.Event()
    sides_in: list[str] = []

    class Side(Searcher):
        def keyword_side(self, query):
            out = super().keyword_side(query)
            sides_in.append(threading.current_thread().name)
            scored.set()
            return out

    emb = _WaitsForKeywordSide(s.embedder, scored)
    beside = Side(s.index, emb, s.tokenizer, s.fusion)
    in_sequence = Searcher(s.index, s.embedder, s.tokenizer, s.fusion, beside=False)
    for q, _ in CASES:
        scored.clear()
        got, weights = beside.search_explained(q, mode="hybrid", k=5)
        want, want_weights = in_sequence.search_explained(q, mode="hybrid", k=5)
        assert [(h.chunk_index, round(h.score, 6)) for h in got] == [(h.chunk_index, round(h.score, 6)) for h in want]
        assert weights == want_weights
    assert set(emb.ran_in) == {threading.current_thread().name}
    assert sides_in and all(name.startswith("keyword-side") for name in sides_in)
    # a repeated question has its vector cached: no model run, the keyword side in this thread
    n = len(emb.ran_in)
    beside.search(CASES[0][0], mode="hybrid")
    assert len(emb.ran_in) == n and sides_in[-1] == threading.current_thread().name


def test_a_failing_keyword_side_fails_the_search_not_the_thread(seed_library):
    s = seed_library.searcher

    class Broken(Searcher):
        def keyword_side(self, query):
            raise RuntimeError("bm25 exploded")

    broken = Broken(s.index, s.embedder, s.tokenizer, s.fusion)
    with pytest.raises(RuntimeError, match="bm25 exploded"):
        broken.search("파티션 최적화", mode="hybrid")
    # the helper thread lives on: the next search through it answers
    assert Searcher(s.index, s.embedder, s.tokenizer, s.fusion).search("파티션 최적화", mode="hybrid")


def test_a_questions_frame_words_do_not_lead_the_keyword_side(tmp_path, embedder, tokenizer):
    """개념 and 중요 say what kind of answer is wanted; 린 is what the question is about. (The
    bigram field is off at first, to look at the Kiwi terms alone.)"""
    from tests.support.libraries import open_library

    notes = {
        "lean.md": "# 린 생산\n\n린 제조 또는 린 생산은 낭비를 없애는 방식이다. 린은 자동차 공장에서 시작했다.\n",
        "child.md": "# 아동 발달\n\n민감한 시기라는 개념은 아동 발달에서 중요하다. 이 시기는 중요하고, 또 중요하다.\n",
        "db.md": "# 인덱스\n\n데이터베이스 인덱스는 조회를 빠르게 한다. 쓰기는 느려진다.\n",
        "net.md": "# 네트워크\n\nTCP는 연결을 맺고 순서를 지킨다. UDP는 연결 없이 보낸다.\n",
        "curfew.md": "# 밤\n\n통금 시간에는 밤에 밖을 다니지 못한다.\n",
        "terms.md": "# 용어\n\n용어의 정의. 정의란 뜻을 밝히는 것이고, 정의를 내려 쓴다.\n",
        "s3.md": "# S3\n\n## S3 장점\n\nS3는 내구성이 높고 용량 제한이 없다.\n\n"
                 "## S3 단점\n\nS3는 부분 수정이 어렵고 작은 요청이 많으면 비용이 커진다.\n",
    }
    corpus = tmp_path / "notes"
    corpus.mkdir()
    for name, text in notes.items():
        (corpus / name).write_text(text, encoding="utf-8")
    lib = open_library(corpus, tmp_path / "index", embedder, tokenizer)
    lib.refresh()
    s = Searcher(lib.searcher.index, embedder, tokenizer, FusionConfig(bigram_weight=0.0))
    source = [c.source for c in s.index.chunks]

    def best(query: str) -> str:
        return source[int(s.keyword_side(query).argmax())]

    assert best("린 개념을 연구하는 것이 왜 중요한가?") == "lean.md"
    assert best("개념") == "child.md"  # a question of frame words alone keeps them
    # the bigram field too reads the question without them: a page of 정의 is no match for 통금
    both = Searcher(lib.searcher.index, embedder, tokenizer, FusionConfig(bigram_weight=1.0))
    side = both.keyword_side("통금의 정의")
    assert source[int(side.argmax())] == "curfew.md"
    assert max(side[i] for i, src in enumerate(source) if src == "terms.md") == 0
    # ... but where a heading holds the frame word, it counts: notes written as "## S3 단점"
    for query, heading in (("S3 단점", "S3 단점"), ("S3의 장점은?", "S3 장점")):
        assert heading in s.index.chunks[int(s.keyword_side(query).argmax())].heading
        assert heading in s.index.chunks[int(both.keyword_side(query).argmax())].heading
