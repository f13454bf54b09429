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


@pytest.mark.parametrize("question, first", [
    ("UDP에도 흐름 제어 기능이 있나요?", "**아니요** — "),
    ("TCP는 연결형 프로토콜인가요?", "**예** — "),
    ("SMTP는 몇 번 포트를 쓰나요?", "**25** — "),
    ("BGP 홀드 타이머의 기본값은 몇 초인가요?", "**노트에서 찾지 못했습니다** — "),
    ("QUIC 프로토콜의 0-RTT는 어떻게 동작하나요?", "**노트에서 찾지 못했습니다** — "),
])
def test_second_notes_answers_open_with_the_verdict_amount_or_not_covered(second_library, question, first):
    # issue 19, with the real model's retrieval: the first line says what was asked
    ans = Tutor(second_library).ask(question)
    assert ans.answer.startswith(first), ans.answer
    assert ans.covered == (not first.startswith("**노트에서")) and len(ans.answer) <= 900
