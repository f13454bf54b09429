"""Template quizzes on the real seed notes and on an unstructured Korean note."""
from __future__ import annotations

import re
from collections import Counter

import pytest

from tutor.quizzes.make import make_quiz, parse_kinds, section_titles
from retriever.structure import plain
from tutor.common.types import QUIZ_KINDS

UNSTRUCTURED = """한빛시 자치법규 정비 기본계획

조례 제정 현황

지방자치법 제28조는 지방자치단체가 법령의 범위에서 그 사무에 관하여 조례를 제정할 수 있다고 규정하고 있다. 다만 주민의 권리 제한 또는 의무 부과에 관한 사항이나 벌칙을 정할 때에는 법률의 위임이 있어야 한다.

2023년 12월 말 기준 한빛시의 자치법규는 총 612건으로, 이 가운데 조례가 438건, 규칙이 174건을 차지하였다. 행정안전부 자치법규정보시스템(ELIS)에 따르면 전국 지방자치단체의 자치법규는 약 13만 건을 넘어섰다.

정비 방향

최근 5년간 한 번도 개정되지 않은 조례가 163건으로 전체 조례의 37.2%에 이르렀다. 상위 법령이 바뀌었는데도 조례를 고치지 않으면 법적 근거를 잃은 규정이 남게 되므로 정기적인 일괄 정비가 필요하다.
"""


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", plain(s)).lower()


# exam option letters ("정답: A. … + C. …"): options leave them out (issue 8), so the notes are
# compared without them
_LETTERS = re.compile(r"(?<=[\s+:*])[A-E][.)]\s+")


@pytest.fixture(scope="module")
def notes_squashed(seed_corpus) -> str:
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(seed_corpus.glob("*.md")))
    return _squash(_LETTERS.sub("", text))


def _check_item(it, squashed: str, titles: list[str]) -> None:
    assert it.kind in QUIZ_KINDS and it.id and it.question.strip() and it.answer.strip()
    assert it.explanation.strip()
    if it.kind == "mcq":
        assert len(it.options) == 4 and len(set(it.options)) == 4
        assert it.options.count(it.answer) == 1
    elif it.kind == "ox":
        assert it.options == ("O", "X") and it.answer in ("O", "X")
    else:
        assert it.options == ()
    if it.kind != "ox":
        assert _squash(it.answer) in squashed, it
    if it.kind == "cloze":
        assert "____" in it.question
        assert _squash(it.question.split("\n", 1)[1].replace("____", it.answer)) in squashed
    assert any(t in it.source.heading for t in titles), it.source
    assert 1 <= it.source.lines[0] <= it.source.lines[1]


def test_twenty_items_valid_varied_and_grounded(seed_library, notes_squashed):
    quiz = make_quiz(seed_library, n=20, seed=0)
    titles = section_titles(seed_library)
    assert quiz.mode == "template" and quiz.notice is None
    assert len(quiz.items) == 20
    kinds = Counter(it.kind for it in quiz.items)
    assert len(kinds) >= 3
    assert max(kinds.values()) - min(kinds.values()) <= 1  # balanced
    assert len({it.id for it in quiz.items}) == 20
    assert len({it.question for it in quiz.items}) == 20
    for it in quiz.items:
        _check_item(it, notes_squashed, titles)
    assert len({it.source.heading.split(" > ")[1] for it in quiz.items}) >= 5  # spread over sections


def test_same_seed_same_quiz_other_seed_other_quiz(seed_library):
    a = make_quiz(seed_library, n=10, seed=7)
    b = make_quiz(seed_library, n=10, seed=7)
    c = make_quiz(seed_library, n=10, seed=8)
    assert a.to_dict() == b.to_dict()
    assert [i.id for i in a.items] != [i.id for i in c.items]


@pytest.mark.parametrize("topic,title", [
    ("Redshift 데이터 공유", "3. Amazon Redshift Data Sharing"),
    ("파티션 프로젝션", "2. Amazon Athena 파티션 성능 최적화"),
    ("Glue FLEX", "6. AWS Glue FLEX 실행 클래스"),
    ("EBS 볼륨", "5. EC2 데이터 영속성"),
])
def test_topic_focuses_on_its_section(seed_library, topic, title):
    for seed in (0, 1):
        quiz = make_quiz(seed_library, n=5, topic=topic, seed=seed)
        assert len(quiz.items) == 5
        assert sum(title in it.source.heading for it in quiz.items) >= 4


@pytest.mark.parametrize("kind", QUIZ_KINDS)
def test_every_generator_on_the_seed_notes(seed_library, notes_squashed, kind):
    quiz = make_quiz(seed_library, n=6, seed=3, kinds=[kind])
    assert len(quiz.items) == 6
    titles = section_titles(seed_library)
    for it in quiz.items:
        assert it.kind == kind
        _check_item(it, notes_squashed, titles)


def test_mcq_distractors_come_from_the_same_topic(seed_library):
    # issue 8: an item's wrong options are other facts of its own section first, not other
    # sections' answers (an Athena question offering Graviton, Data Exchange and EC2 options)

    quiz = make_quiz(seed_library, n=60, seed=0, kinds="mcq")
    assert len(quiz.items) >= 40
    secs = seed_library.structure().sections
    own = same = 0
    for it in quiz.items:
        sec = next(s for s in secs if s.contains(it.source.source, it.source.lines[0]))
        body = _squash(_LETTERS.sub("", "\n".join(u.text for u in sec.units)))
        for o in it.options:
            if o != it.answer:
                own += 1
                same += _squash(o) in body
    assert same / own >= 0.6, same / own


def test_kinds_parsing():
    assert parse_kinds("mcq, ox") == ("mcq", "ox")
    assert parse_kinds(None) == QUIZ_KINDS
    with pytest.raises(ValueError):
        parse_kinds("mcq,essay")


@pytest.fixture(scope="module")
def plain_library(tmp_path_factory, embedder, tokenizer):
    from retriever import NotesLibrary

    root = tmp_path_factory.mktemp("plain")
    (root / "corpus").mkdir()
    (root / "corpus" / "자치법규.txt").write_text(UNSTRUCTURED, encoding="utf-8")
    lib = NotesLibrary(root / "corpus", root / "index", embedder, tokenizer)
    lib.refresh()
    return lib


def test_unstructured_note_still_gets_cloze_and_flashcards(plain_library):
    squashed = _squash(UNSTRUCTURED)
    quiz = make_quiz(plain_library, n=8, seed=0)
    kinds = Counter(it.kind for it in quiz.items)
    assert kinds["cloze"] >= 2 and kinds["flashcard"] >= 2
    for it in quiz.items:
        assert _squash(it.answer) in squashed
        if it.kind == "cloze":
            assert _squash(it.question.split("\n", 1)[1].replace("____", it.answer)) in squashed
    # a flashcard from a (plain-text) heading
    assert any("조례 제정 현황" in it.question or "정비 방향" in it.question
               for it in quiz.items if it.kind == "flashcard")
    again = make_quiz(plain_library, n=8, seed=0)
    assert again.to_dict() == quiz.to_dict()


def test_unstructured_note_gives_number_items_and_says_when_short(plain_library):
    # issue 8: figures with a unit ("438건") make multiple-choice items whose options are
    # numbers of the same unit; the note has few, and the quiz says so
    quiz = make_quiz(plain_library, n=10, kinds=["mcq"])
    assert 1 <= len(quiz.items) < 10 and quiz.notice and str(len(quiz.items)) in quiz.notice
    for it in quiz.items:
        assert "____" in it.question and it.answer in it.options
        unit = re.sub(r"[\d,.]+", "#", it.answer)
        assert all(re.sub(r"[\d,.]+", "#", o) == unit for o in it.options), it.options
        assert _squash(it.question.split("\n", 1)[1].replace("____", it.answer)) in _squash(UNSTRUCTURED)
