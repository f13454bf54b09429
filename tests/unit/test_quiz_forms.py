"""Issue 8: multiple-choice items a test-wise student cannot game, in every form the notes
allow — on the seed notes and on a second notes file of another subject and shape (a Korean
networking note with tables and plain bullets, no 문제 시나리오: bench/data/second-notes)."""
from __future__ import annotations

import re

import pytest

from tutor.quizzes.make import generate_candidates, make_quiz
from tutor.quizzes.lexicon import Lexicon
from tutor.common.types import QUIZ_KINDS

STRAY = re.compile(r"(?:^|[\s+,/&(·])[A-E][.)]\s")


# -- the test-wise student, written here apart from the generator's balancing code ---------
def _bigrams(text: str) -> set[str]:
    s = re.sub(r"[\W_]+", "", text).lower()
    return {s[i:i + 2] for i in range(len(s) - 1)} or ({s} if s else set())


def _share(options, answer, key) -> float:
    scores = [key(o) for o in options]
    best = [o for o, s in zip(options, scores) if s == max(scores)]
    return 1 / len(best) if answer in best else 0.0


def _guess_rates(items) -> tuple[float, float]:
    mcq = [it for it in items if it.kind == "mcq"]
    closest = sum(_share(it.options, it.answer, lambda o, q=it.question: len(_bigrams(o) & _bigrams(q))
                         / len(_bigrams(o))) for it in mcq)
    longest = sum(_share(it.options, it.answer, len) for it in mcq)
    return closest / len(mcq), longest / len(mcq)


def _flat(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.replace("**", "")).lower()


def _check_clean(items) -> None:
    for it in items:
        if it.kind != "ox":
            assert _flat(it.answer) not in _flat(it.question), it  # the answer is not in the question
        for o in it.options:
            assert not STRAY.search(o) and "**" not in o and "`" not in o, it


@pytest.fixture(scope="module")
def seed_quizzes(seed_library):
    return [it for seed in range(5) for it in make_quiz(seed_library, n=20, seed=seed).items]


@pytest.fixture(scope="module")
def seed_candidates(seed_library):
    lex = Lexicon(seed_library.tokenizer)
    return generate_candidates(seed_library.structure(), lex, seed=0)


def test_five_seeds_of_twenty_give_varied_fair_items(seed_quizzes):
    mcq = {(it.question, it.answer) for it in seed_quizzes if it.kind == "mcq"}
    assert len(mcq) >= 15
    closest, longest = _guess_rates(seed_quizzes)
    assert closest <= 0.4 and longest <= 0.4, (closest, longest)
    _check_clean(seed_quizzes)


def test_no_candidate_gives_itself_away(seed_candidates):
    _check_clean(seed_candidates)
    closest, longest = _guess_rates(seed_candidates)  # the whole pool, not one draw
    assert closest <= 0.3 and longest <= 0.3, (closest, longest)


def test_unsuitable_cases_item_from_the_cons_list(seed_candidates):
    items = [c for c in seed_candidates if c.kind == "mcq" and "FLEX" in c.question and "적합하지 않은" in c.question]
    assert items
    for it in items:
        assert it.answer in ("실시간 처리", "SLA 요구사항", "의존성 있는 작업")
        assert set(it.options) - {it.answer} <= {"배치 ETL 작업", "일일/주간 정기 작업", "비용 민감한 워크로드",
                                                 "개발/테스트 환경"}


def test_setting_item_asks_for_the_switch_among_its_own_block(seed_candidates):
    items = [c for c in seed_candidates if c.kind == "mcq" and "파티션 프로젝션" in c.question and "켜는" in c.question]
    assert len(items) == 1
    it = items[0]
    assert it.answer == "'projection.enabled' = 'true'"
    assert sum(o.startswith("'projection.") or o.startswith("'storage.") for o in it.options) >= 3


def test_number_items_offer_numbers_of_one_unit(seed_candidates):
    items = [c for c in seed_candidates if c.kind == "mcq" and "빈칸에 들어갈 값" in c.question]
    assert len(items) >= 10
    for it in items:
        unit = re.sub(r"\d[\d,]*(?:\.\d+)?", "#", it.answer)
        assert all(re.sub(r"\d[\d,]*(?:\.\d+)?", "#", o) == unit for o in it.options), it.options
        assert it.answer not in it.question.replace("____", "")


def test_exam_points_are_asked_both_ways_with_the_sections_other_points(seed_candidates):
    forward = [c for c in seed_candidates if c.kind == "mcq" and "시험 포인트 '" in c.question]
    backward = [c for c in seed_candidates if c.kind == "mcq" and "어떤 시험 포인트" in c.question]
    assert len(forward) >= 10 and len(backward) >= 10
    for it in forward:
        own = {p.value for p in it.section.points}
        assert sum(o in own for o in it.options) >= 2  # the answer and a point of its own section


def test_scenario_item_offers_the_notes_wrong_options(seed_candidates):
    items = [c for c in seed_candidates if c.kind == "mcq" and c.question.startswith("다음 상황")
             and "EC2 인스턴스" in c.question]
    assert items, "the EC2 scenario is fair: its 정답 does not echo the question more than the wrong options"
    opts = items[0].options
    assert "모든 데이터를 인스턴스 스토어에 저장" in opts or "EBS 루트 볼륨만 사용" in opts
    assert not any("(오답)" in o or "(부분적)" in o for o in opts)


# -- the second notes file -------------------------------------------------------------------
@pytest.fixture(scope="module")
def second_library(tmp_path_factory, second_corpus, embedder, tokenizer):
    from retriever import NotesLibrary

    lib = NotesLibrary(second_corpus, tmp_path_factory.mktemp("second-index"), embedder, tokenizer)
    lib.refresh()
    return lib


@pytest.fixture(scope="module")
def second_quizzes(second_library):
    return [it for seed in range(5) for it in make_quiz(second_library, n=20, seed=seed).items]


def test_second_notes_every_kind_fair_and_clean(second_quizzes):
    assert {it.kind for it in second_quizzes} == set(QUIZ_KINDS)
    closest, longest = _guess_rates(second_quizzes)
    assert closest <= 0.5 and longest <= 0.5, (closest, longest)
    _check_clean(second_quizzes)


def test_second_notes_table_items(second_library):
    lex = Lexicon(second_library.tokenizer)
    cands = generate_candidates(second_library.structure(), lex, seed=0)
    ssh = [c for c in cands if c.kind == "mcq" and "SSH의 포트" in c.question]
    assert ssh and ssh[0].answer == "22" and all(o.isdigit() for o in ssh[0].options)
    tcp = [c for c in cands if c.kind == "mcq" and "TCP의 연결 방식" in c.question]
    assert tcp and tcp[0].answer == "연결형 (3-way handshake)" and "비연결형" in tcp[0].options  # the other side
    assert any(c.kind == "ox" and "포트" in c.question for c in cands)
    assert any(c.kind == "flashcard" and c.question.endswith("SSH") for c in cands)
