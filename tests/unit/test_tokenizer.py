from retriever.tokenizer import ascii_terms


def test_particles_fold_to_the_noun(tokenizer):
    a, b = tokenizer("파티션을 나눈다"), tokenizer("파티션이 많다")
    assert a[0] == b[0]
    assert tokenizer("메타스토어를 우회")[:1] == tokenizer("메타스토어")[:1]
    assert "을" not in a and "이" not in b


def test_identifiers_whole_and_by_parts(tokenizer):
    toks = tokenizer("Athena BytesScannedCutoffPerQuery get_asset m6g.2xlarge projection.enabled")
    for t in ["athena", "bytesscannedcutoffperquery", "scanned", "cutoff", "get_asset", "get", "asset",
              "m6g.2xlarge", "m6g", "2xlarge", "projection.enabled", "projection", "enabled"]:
        assert t in toks, t


def test_transliterations_meet_english(tokenizer):
    assert set(tokenizer("아테나에서 레드시프트로 그래비톤 글루")) >= {"athena", "redshift", "graviton", "glue"}
    assert "athena" in tokenizer("Amazon Athena 쿼리")


def test_numbers_and_counters(tokenizer):
    toks = tokenizer("10,000개 파티션 → 30초 쿼리 플래닝")
    assert "10000" in toks and "30" in toks
    assert "개" not in toks and "초" not in toks


def test_units_and_currencies_are_terms_but_grammatical_bound_nouns_are_not(tokenizer):
    # Kiwi tags 온스, 갤런, 달러 … as bound nouns (NNB), like 것, 수, 때문
    assert tokenizer("온스를 갤런으로 변환하기") == ["온스", "갤런", "변환"]
    assert {"킬로그램", "달러", "바이트"} <= set(tokenizer("킬로그램당 5달러, 헤더는 20바이트"))
    assert tokenizer("10% 할인") == tokenizer("10퍼센트 할인") == ["10", "할인"]  # "%" gives no term
    toks = tokenizer("그 때문에 두 가지 방법 중 두 번째 것을 쓸 수 있다")
    assert not {"때문", "가지", "번째", "것", "수", "중"} & set(toks)
    assert "방법" in toks


def test_empty_and_particles_only(tokenizer):
    assert tokenizer("") == []
    assert tokenizer("   ") == []
    assert "이" not in tokenizer("은는이가") and "가" not in tokenizer("은는이가")  # particles are no terms


def test_spans_point_at_the_surface_text(tokenizer):
    text = "Athena 파티션을 설정"
    for span in tokenizer.spans(text):
        assert 0 <= span.start < span.end <= len(text)
    part = [s for s in tokenizer.spans(text) if s.term == "partition"][0]
    assert text[part.start:part.end] == "파티션"


def test_batch_equals_single(tokenizer):
    texts = ["아테나 파티션 프로젝션", "EC2 인스턴스 스토어와 EBS 볼륨", "", "10,000개"]
    assert tokenizer.tokenize_many(texts) == [tokenizer(t) for t in texts]


def test_ascii_terms_stem_and_stopwords():
    assert ascii_terms("partitions") == ["partition"]
    assert ascii_terms("the") == []
    assert ascii_terms("10,000") == ["10000"]


def test_a_particle_after_a_latin_word_is_not_a_term(tokenizer):
    # "Graviton으로" once gave a stray noun 으 (the Latin word was blanked before Kiwi)
    assert tokenizer("Graviton으로 옮길 때 주의할 점") == ["graviton", "옮기", "때", "주의", "점"]
    assert tokenizer("EBS를 쓰면") == ["ebs", "쓰"]
    assert tokenizer("Lambda로 처리하고 Redshift와 비교") == ["lambda", "처리", "redshift", "비교"]
