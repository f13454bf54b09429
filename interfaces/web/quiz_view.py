"""What the 퀴즈 tab shows for a quiz session: plain values the tab maps onto components."""
from __future__ import annotations

from dataclasses import dataclass

from studyapp import (CHOICE_KINDS, RATING_LABELS, Grade, GradeResult, QuizItem, QuizSession, kind_label, lines_ko,
                      strip_marks)

from .render import esc_md

START_HINT = "주제(또는 단원)와 문항 수를 고르고 **퀴즈 만들기**를 누르세요."


@dataclass(frozen=True)
class QuizView:
    header: str  # markdown: progress, score, notice
    question: str  # markdown (escaped)
    choices: list[str]
    choice_visible: bool
    text_visible: bool
    text_label: str
    feedback: str  # markdown (escaped)
    can_submit: bool
    can_next: bool
    next_label: str
    review: str  # markdown, at the end
    review_visible: bool
    rating: str | None = None  # the current answer's rating (again/hard/good/easy) once recorded


def item_source(item: QuizItem) -> str:
    s = item.source
    return f"{esc_md(s.source)} · {lines_ko(s.lines, s.page, s.ocr)} · _{esc_md(s.heading)}_"


def quiz_view(s: QuizSession, hint: str = START_HINT) -> QuizView:
    """What to show for `s`; `hint` when there is nothing to show yet (each tab its own)."""
    n = len(s.items)
    if not n:
        msg = f"⚠️ {esc_md(s.message)}" if s.message else hint
        return QuizView(msg, "", [], False, False, "답", "", False, False, "다음 문제", "", False)
    score = f"**점수 {s.correct} / {s.answered}**"
    if s.title == "퀴즈":
        mode = " · LLM 출제" if s.quiz and s.quiz.mode == "llm" else " · 템플릿 출제"
    else:
        mode = f" · {esc_md(s.title)} · 남은 문제 **{n - s.answered}**개"
    notice = f"\n\n> ⚠️ {esc_md(s.quiz.notice)}" if s.quiz and s.quiz.notice else ""
    if s.message:
        notice += f"\n\n> ⚠️ {esc_md(s.message)}"
    if s.finished:
        header = f"### {esc_md(s.title)} 끝! {score} ({n}문항){mode}{notice}"
        return QuizView(header, "", [], False, False, "답", "", False, False, "다음 문제",
                        review_markdown(s), True)
    item = s.current
    assert item is not None
    header = f"문제 **{s.pos + 1} / {n}** · {score}{mode}{notice}"
    # the question's own lines stay lines ("빈칸에 들어갈 말은?" above the sentence)
    question = f"**[{kind_label(item.kind)}]** {esc_md(item.question)}".replace("\n", "  \n")
    is_choice = item.kind in CHOICE_KINDS and bool(item.options)
    graded = s.current_graded
    feedback = grade_markdown(item, s.grades[s.pos]) + record_markdown(s.current_result) if graded else ""
    text_label = "뒷면을 떠올려 적어 보세요" if item.kind == "flashcard" else "답을 입력하세요"
    last = s.pos == n - 1
    res = s.current_result
    return QuizView(header, question, list(item.options), is_choice, not is_choice, text_label,
                    feedback, not graded, graded, "결과 보기" if last else "다음 문제", "", False,
                    res.rating if res is not None else None)


def record_markdown(res: GradeResult | None) -> str:
    """What the record kept: the rating and the next review (and how to change the rating)."""
    if res is None:
        return ""
    due = res.due.strftime("%Y-%m-%d %H:%M") if res.due else "다시 출제하지 않음 (노트가 바뀜)"
    return (f"\n\n📒 기록됨 · 평가 **{RATING_LABELS.get(res.rating, res.rating)}** · 다음 복습 {due}  \n"
            "_얼마나 잘 알았나요? 아래 버튼으로 평가를 바꿀 수 있습니다._")


def grade_markdown(item: QuizItem, g: Grade | None) -> str:
    """Verdict, the learner's answer, the right answer, the explanation and the source
    (built from the fields; `Grade.feedback` holds the same as plain text for the CLI)."""
    if g is None:
        return ""
    lines = ["### ✅ 정답입니다!" if g.correct else "### ❌ 틀렸습니다", ""]
    if not g.correct:
        lines.append(f"입력한 답: {esc_md(g.given) or '(빈 답)'}  ")
    lines.append(f"정답: **{esc_md(g.expected)}**  ")
    if item.explanation:
        lines.append(f"해설: {esc_md(strip_marks(item.explanation))}  ")
    lines.append(f"출처: {item_source(item)}")
    return "\n".join(lines)


def review_markdown(s: QuizSession) -> str:
    missed = s.missed()
    if not missed:
        return "🎉 틀린 문제가 없습니다."
    out = [f"#### 틀린 문제 다시 보기 ({len(missed)}개)"]
    for i, (it, g, r) in enumerate(missed, 1):
        out.append(f"**{i}. [{kind_label(it.kind)}]** {esc_md(it.question)}  \n"
                   f"내 답: {esc_md(r) or '(빈 답)'} · 정답: **{esc_md(g.expected)}**  \n"
                   f"해설: {esc_md(strip_marks(it.explanation))}  \n출처: {item_source(it)}")
    return "\n\n".join(out)
