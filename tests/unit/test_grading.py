"""Grading: exact for mcq/ox, tolerant for short/cloze, feedback that teaches."""
from __future__ import annotations


from tutor.quizzes.grading import grade, normalize
from tutor.quizzes.make import make_quiz
from tutor.common.types import QuizItem, SourceRef

SRC = SourceRef("0910-aws-data-engineering.md", "0910 (page ~80) > 2. Amazon Athena 파티션", (131, 134))


def _item(kind, answer, options=(), explanation="노트 설명"):
    return QuizItem(f"{kind}-1", kind, "질문", tuple(options), answer, explanation, SRC)


def test_mcq_accepts_letter_number_circled_and_text():
    it = _item("mcq", "Graviton 인스턴스 활용", ["Redshift Data Sharing", "Graviton 인스턴스 활용",
                                            "FLEX 실행 클래스", "EBS 볼륨"])
    for r in ("B", "b", "2", "②", "(B)", "graviton 인스턴스활용", "Graviton 인스턴스 활용"):
        assert grade(it, r).correct, r
    for r in ("A", "1", "FLEX 실행 클래스", "", "Graviton"):
        assert not grade(it, r).correct, r
    g = grade(it, "A")
    assert "B. Graviton 인스턴스 활용" in g.feedback and "노트 설명" in g.feedback


def test_ox_spellings():
    it = _item("ox", "X", ["O", "X"])
    for r in ("X", "x", "×", "틀림", "false", "ｘ"):
        assert grade(it, r).correct, r
    for r in ("O", "o", "맞다", "true", "?"):
        assert not grade(it, r).correct, r


def test_short_and_cloze_are_tolerant(tokenizer):
    it = _item("short", "파티션 프로젝션")
    for r in ("파티션 프로젝션", "파티션프로젝션", "파티션 프로젝션을", "파티션 프로젝션이요", " 파티션  프로젝션 "):
        assert grade(it, r, tokenizer).correct, r
    for r in ("파티션 인덱스", "프로젝션 파티션 인덱스", ""):
        assert not grade(it, r, tokenizer).correct, r
    cl = _item("cloze", "Exchange")
    for r in ("exchange", "ＥＸＣＨＡＮＧＥ", "Exchange"):
        assert grade(cl, r, tokenizer).correct, r
    assert normalize("Ａ　Ｂ") == "ab"


def test_feedback_has_answer_explanation_and_source(tokenizer):
    it = _item("short", "메타스토어 우회", explanation="시험 포인트: 메타스토어 우회 = 파티션 프로젝션으로 직접 S3 접근")
    g = grade(it, "파티션 인덱스", tokenizer)
    assert not g.correct
    assert "❌" in g.feedback and "정답: 메타스토어 우회" in g.feedback
    assert "해설: 시험 포인트" in g.feedback
    assert "0910-aws-data-engineering.md" in g.feedback and "131" in g.feedback
    assert grade(it, "메타스토어를 우회", tokenizer).correct


def test_every_generated_item_grades_its_own_answer_right(seed_library, tokenizer):
    quiz = make_quiz(seed_library, n=20, seed=5)
    for it in quiz.items:
        assert grade(it, it.answer, tokenizer).correct, it
        if it.kind == "mcq":
            wrong = next(o for o in it.options if o != it.answer)
            assert not grade(it, wrong, tokenizer).correct
        if it.kind == "ox":
            assert not grade(it, "X" if it.answer == "O" else "O", tokenizer).correct
