"""The spacing-free character-bigram keyword field: Korean spacing slips and OCR breaks still
match, through the real index of the seed notes (real Kiwi, real bm25s)."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from retriever import Searcher
from retriever.highlight import mark, match_spans
from retriever.search import FusionConfig
from retriever.spacing import char_bigrams, query_coverage, spacing_free_spans
from retriever.store import BIGRAM_DIR, current_generation, load_index
from studyapp.settings import Settings


def test_bigrams_ignore_spaces_marks_and_case():
    assert char_bigrams("데이 터베이스!") == char_bigrams("데이터베이스") == ["데이", "이터", "터베", "베이", "이스"]
    assert char_bigrams("EC2 인스턴스") == ["ec", "c2", "2인", "인스", "스턴", "턴스"]
    assert char_bigrams("가") == ["가"] and char_bigrams(" ·- ") == []


@pytest.mark.parametrize("broken,section", [
    ("파티 션프로젝 션", "2. Amazon Athena 파티션 성능 최적화"),  # OCR split words in the wrong places
    ("워크그 룹", "7. Amazon Athena Workgroup"),
])
def test_broken_spacing_finds_the_section_kiwi_alone_misses(seed_library, broken, section):
    idx = seed_library.searcher.index
    tok = seed_library.searcher.tokenizer
    with_bigrams = Searcher(idx, seed_library.searcher.embedder, tok, FusionConfig())
    kiwi_only = Searcher(idx, seed_library.searcher.embedder, tok, FusionConfig(bigram_weight=0))
    hits = with_bigrams.search(broken, mode="keyword", k=3)
    assert hits and section in hits[0].heading
    assert kiwi_only.search(broken, mode="keyword", k=3) == []  # Kiwi's pieces match nothing
    assert section in with_bigrams.search(broken, mode="hybrid", k=3)[0].heading


def test_a_generation_without_the_bigram_field_builds_it_on_first_search(seed_index_copy, seed_library):
    gen = current_generation(seed_index_copy)
    assert (gen / BIGRAM_DIR).is_dir()  # written with every new generation
    shutil.rmtree(gen / BIGRAM_DIR)  # as an index written before the field existed
    old = load_index(seed_index_copy)
    s = seed_library.searcher
    fresh = Searcher(old, s.embedder, s.tokenizer, s.fusion)
    q = "파티션 프로젝션 설정"
    assert np.allclose(fresh.keyword_side(q), s.keyword_side(q))
    assert [h.chunk_index for h in fresh.search(q, mode="keyword", k=5)] == \
        [h.chunk_index for h in s.search(q, mode="keyword", k=5)]
    assert not (gen / BIGRAM_DIR).exists()  # built in memory: a reader never writes the index


def test_the_weight_comes_from_the_environment():
    assert Settings.from_env({}).fusion.bigram_weight == FusionConfig.bigram_weight
    assert Settings.from_env({"STUDY_BIGRAM_WEIGHT": "0"}).fusion.bigram_weight == 0
    assert Settings.from_env({"STUDY_BIGRAM_WEIGHT": "-1"}).fusion.bigram_weight == 0


def test_highlight_falls_back_to_the_query_read_without_spaces(tokenizer):
    text = "Athena 파티션 프로젝션을 설정하면 파티션프로젝션 쿼리가 빨라진다"
    assert mark(text, match_spans(text, "파티 션프로젝 션", tokenizer)) == \
        "Athena «파티션 프로젝션»을 설정하면 «파티션프로젝션» 쿼리가 빨라진다"
    # when Kiwi terms match, they alone are marked (파티션을 in the query marks 파티션, not 을)
    assert mark(text, match_spans(text, "파티션을", tokenizer)) == \
        "Athena «파티션» 프로젝션을 설정하면 «파티션»프로젝션 쿼리가 빨라진다"
    assert match_spans(text, "전혀 없는 말", tokenizer) == []
    assert spacing_free_spans("데이 터베이스", "데이터") == [(0, 4)]  # "데이 터": the space inside is kept


def test_a_chunk_sharing_only_a_bigram_or_two_is_not_a_keyword_hit(seed_library):
    s = seed_library.searcher
    # "무엇인가요", "오늘" share bigrams with the notes' Korean prose, but no term and no real piece
    assert s.keyword_side("오늘 점심 메뉴는 무엇인가요").max() > 0  # it ranks…
    assert s.search("오늘 점심 메뉴는 무엇인가요", mode="keyword", k=5) == []  # …but is not shown
    assert query_coverage("Athena 파티션 프로젝션을 설정", "파티 션프로젝 션") == 1.0
    assert query_coverage("데이터 공유", "데이터셰 어링") == 0.5
    assert query_coverage("왜 이 구성이 정답인가", "오늘 점심 메뉴는 무엇인가요") == 0.0


def test_marks_land_on_the_right_characters_when_lower_casing_changes_length():
    text = "İİ 파티션 프로젝션"  # "İ".lower() is two characters
    assert [text[a:b] for a, b in spacing_free_spans(text, "파티션프로젝션")] == ["파티션 프로젝션"]
