"""Answers over the second notes (network basics): table rows and numbered steps are quoted
with the asked fact near the top — retrieval with the real model."""
from __future__ import annotations

import re

import pytest

from tests.support.libraries import build_index, open_library
from tutor.answers import Tutor


@pytest.fixture(scope="module")
def second_library(tmp_path_factory, second_corpus, embedder, tokenizer):
    index = build_index(second_corpus, tmp_path_factory.mktemp("second-index"), embedder, tokenizer)
    return open_library(second_corpus, index, embedder, tokenizer)


@pytest.mark.parametrize("question, fact", [
    ("SSH는 몇 번 포트를 써?", "22"),
    ("B 클래스의 사설 주소 대역은?", "172.16.0.0/12"),
    ("UDP 헤더 크기는 몇 바이트야?", "8바이트"),
    ("3-way handshake는 어떤 순서로 진행돼?", "SYN+ACK"),
])
def test_second_notes_answers_quote_table_rows_and_steps(second_library, question, fact):
    ans = Tutor(second_library).ask(question)
    assert fact in ans.answer[:400], ans.answer
    assert re.search(r"\[\d+\]", ans.answer)
