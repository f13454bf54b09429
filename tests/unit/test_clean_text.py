"""Clean text on every screen (issue 24): note text shown without raw Markdown marks — search
results, 오답 노트, sources, explanations, the terminal — while HTML in notes stays escaped;
the terminal quiz keeps its answers for the end."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from retriever import Hit
from tutor.common.marks import strip_marks
from tutor.common.types import QuizItem, SourceRef

NOTE = ("### 2. Amazon Athena 파티션\n**문제 시나리오**: 쿼리 플랜이 **느림** <script>x</script>\n"
        "- ✅ **파티션 프로젝션**: `projection.enabled` 를 켠다\n```sql\nSELECT * FROM t WHERE a >= 1;\n```\n"
        "| 구분 | 값 |\n|---|---|\n| a | b |\n[링크](javascript:alert(1)) 2*3*4 snake_case_name")
RAW = re.compile(r"\*\*|###|```|`")


def test_strip_marks_keeps_the_words_and_drops_the_marks():
    out = strip_marks(NOTE)
    assert not RAW.search(out), out
    assert "2. Amazon Athena 파티션" in out and "문제 시나리오: 쿼리 플랜이 느림" in out
    assert "- ✅ 파티션 프로젝션: projection.enabled 를 켠다" in out
    assert "SELECT * FROM t WHERE a >= 1;" in out  # code lines as written
    assert "|---|" not in out and "| a | b |" in out
    assert "링크" in out and "javascript" not in out
    assert "2*3*4" in out and "snake_case_name" in out  # not emphasis
    assert "<script>x</script>" in out  # escaping is the page's job, not this one's


def _hit(text: str) -> Hit:
    return Hit(rank=1, score=1.0, source="n.md", heading="n.md > 2. Amazon Athena", lines=(1, 9), text=text)


def test_search_and_sources_html_show_no_raw_marks_and_escape_html(tokenizer):
    from interfaces.web.render import render_hits_html, render_sources_md
    from retriever.highlight import match_spans

    html = render_hits_html("파티션", "keyword", [_hit(NOTE)], lambda t, q: match_spans(t, q, tokenizer))
    body = re.sub(r"<[^>]+>", "", html)
    assert not RAW.search(body), body
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "<mark>파티션</mark>" in html
    md = render_sources_md([_hit(NOTE)])
    assert "&lt;script&gt;" in md and "<script>" not in md
    assert not RAW.search(md.split("\n", 1)[1].replace("**[1]", "").replace("n.md**", ""))


def _item(kind="mcq", **kw) -> QuizItem:
    base = dict(id="mcq-1", kind=kind, question="[Athena] 다음 중 **파티션**을 켜는 설정은?",
                options=("'projection.enabled' = 'true'", "a", "b", "c"), answer="'projection.enabled' = 'true'",
                explanation="노트의 코드: `'projection.enabled' = 'true'`", source=SourceRef("n.md", "n.md > A", (3, 4)))
    base.update(kw)
    return QuizItem(**base)


def test_wrong_notes_html_has_no_raw_marks(tokenizer):
    from interfaces.web.study_views import wrong_html
    from studyapp import WrongEntry, WrongNotes

    entry = WrongEntry(_item(), "A", "b", 2, 3, datetime(2026, 12, 1, tzinfo=timezone.utc))
    html = wrong_html(WrongNotes("u", (entry,)), lambda e: NOTE)
    assert not RAW.search(re.sub(r"<[^>]+>", "", html))
    assert "&lt;script&gt;" in html and "<script>" not in html


def test_terminal_quiz_keeps_the_answers_for_the_end(capsys):
    from interfaces.cli.quiz import _print_quiz
    from studyapp import Quiz

    quiz = Quiz((_item(id="mcq-1"), _item(kind="short", id="short-2", question="[X] 다음 설명의 **용어**는?",
                                           options=(), answer="파티션 프로젝션", explanation="노트: **파티션 프로젝션**")),
                "template")
    _print_quiz(quiz, inline=False)
    out = capsys.readouterr().out
    key = out.index("정답 (answers)")
    assert out.index("[2]") < key  # every question before any answer
    assert "정답:" not in out[:key] and out[key:].count("정답:") == 2
    assert "A. 'projection.enabled' = 'true'" in out[key:]
    assert "**" not in out and "`" not in out
    _print_quiz(quiz, inline=True)
    out = capsys.readouterr().out
    assert "정답 (answers)" not in out and out.index("정답: 파티션 프로젝션") > out.index("[2]")


def test_streamed_llm_text_is_printed_without_marks(capsys):
    from interfaces.cli.common import LinePrinter

    p = LinePrinter()
    for delta in ("핵심 답: **파티", "션 프로젝션**을 씁니다 [1]\n### 근", "거\n`x`"):
        p.feed(delta)
    p.close()
    assert capsys.readouterr().out == "핵심 답: 파티션 프로젝션을 씁니다 [1]\n근거\nx\n"


def test_a_few_lines_are_embedded_like_passages_by_default(embedder):
    """`embed_texts` (an answer's lines, never stored) is `embed_passages` unless an engine
    has a cheaper one (e5fast: its query engine, tested in tests/integration)."""
    import numpy as np

    texts = ["파티션 프로젝션", "EBS 볼륨 연결"]
    assert np.allclose(embedder.embed_texts(texts), embedder.embed_passages(texts))
