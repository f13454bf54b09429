"""The quiz pool (issue 24, point 7): a quiz is a selection from items made once per index
generation — the same quiz as generating afresh with the same procedure — and a changed note
re-makes that note's items only."""
from __future__ import annotations

import pytest

from retriever.structure import parse_notes
from tutor.common.types import QUIZ_KINDS
from tutor.quizzes.lexicon import Lexicon
from tutor.quizzes.make import make_quiz, parse_kinds, quiz_items, topic_sections
from tutor.quizzes.pool import QuizPools, build_pool

NEW_SECTION = "\n\n## 9. IPv6 확장\n\n- **홉 제한**: IPv6에서 TTL 대신 패킷의 수명을 정하는 필드\n- **흐름 레이블**: 같은 흐름의 패킷을 묶는 20비트 필드\n"


def _struct(tokenizer, texts: dict[str, str]):
    return parse_notes(((source, text) for source, text in texts.items()), splitter=tokenizer.split_sentences)


@pytest.fixture(scope="module")
def lex(tokenizer) -> Lexicon:
    """One lexicon for the module: its caches only remember Kiwi's answers, so a pool made
    with it is still made afresh (every note's items generated again)."""
    return Lexicon(tokenizer)


@pytest.fixture(scope="module")
def texts(seed_corpus, second_corpus) -> dict[str, str]:
    return {"aws.md": next(seed_corpus.glob("*.md")).read_text(encoding="utf-8"),
            "net.md": next(second_corpus.glob("*.md")).read_text(encoding="utf-8")}


@pytest.mark.parametrize("topic,kinds,seed", [("파티션", "mcq,ox,cloze", 3), (None, None, 7),
                                              ("Glue FLEX", "mcq,short,flashcard", 11)])
def test_the_pool_gives_the_same_quiz_as_generating_afresh(seed_library, lex, topic, kinds, seed):
    quiz = make_quiz(seed_library, n=10, topic=topic, seed=seed, kinds=kinds)
    struct = seed_library.structure()
    fresh = build_pool(struct, lex)  # every note's items made again, nothing kept
    focus = topic_sections(seed_library, struct, topic) if topic else None
    again = quiz_items(fresh, 10, parse_kinds(kinds), focus, seed)
    assert len(quiz.items) == 10
    assert [c.to_item() for c in again] == list(quiz.items)


def test_a_changed_note_changes_only_its_own_items(tokenizer, lex, texts):
    pools = QuizPools()
    before = pools.build(_struct(tokenizer, texts), lex)
    changed = {**texts, "net.md": texts["net.md"] + NEW_SECTION}
    after = pools.build(_struct(tokenizer, changed), lex)
    assert after.notes["aws.md"] is before.notes["aws.md"]  # kept as it was, not made again
    assert after.notes["net.md"] is not before.notes["net.md"]
    old = {c.key for c in before.notes["net.md"].drafts}
    new = {c.key for c in after.notes["net.md"].drafts}
    assert any("홉 제한" in k for k in new - old) and old - new == set()
    # the kept and re-made items together are what a pool made afresh holds, quiz by quiz
    fresh = build_pool(_struct(tokenizer, changed), lex)
    assert [c.key for c in fresh.drafts] == [c.key for c in after.drafts]
    for seed in range(3):
        assert [c.to_item() for c in quiz_items(after, 20, QUIZ_KINDS, None, seed)] == \
               [c.to_item() for c in quiz_items(fresh, 20, QUIZ_KINDS, None, seed)]


def test_a_pool_is_made_once_per_generation_and_a_quiz_is_a_selection(seed_library):
    pools = QuizPools()
    first = pools.pool(seed_library)
    assert pools.pool(seed_library) is first
    quizzes = [make_quiz(seed_library, n=10, seed=s, pools=pools) for s in range(5)]
    assert all(len(q.items) == 10 for q in quizzes)
    assert len({tuple(it.id for it in q.items) for q in quizzes}) == 5
    assert seed_library.memo("tutor:quiz-pool", lambda: None) is first  # the quizzes used it
