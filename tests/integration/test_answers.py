"""Template answers over the real seed notes (no LLM)."""
from __future__ import annotations

import json
import re

import pytest
from pathlib import Path

from tutor.answers.tutor import HARD_MAX, NOT_COVERED, Tutor
from tutor.common.llm import ChatLLM
from retriever.structure import plain

DEV = Path(__file__).resolve().parents[2] / "bench" / "data" / "devset.jsonl"


@pytest.fixture(scope="module")
def tutor(seed_library):
    return Tutor(seed_library)  # template mode


@pytest.fixture(scope="module")
def notes_text(seed_corpus) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(seed_corpus.glob("*.md")))


def _dev():
    return [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]


def _words(text: str) -> list[str]:
    return re.findall(r"[0-9A-Za-z\uac00-\ud7a3]+", re.sub(r"\[\d+\]", " ", text))


@pytest.mark.slow
def test_dev_questions_are_grounded_cited_and_short(tutor, seed_corpus, notes_text):
    dev = _dev()[::3]  # a spread over every section and question style
    right = 0
    for d in dev:
        ans = tutor.ask(d["question"])
        assert ans.mode == "template" and ans.notice is None
        assert ans.answer.strip()
        assert len(ans.answer) <= HARD_MAX
        cites = [int(n) for n in re.findall(r"\[(\d+)\]", ans.answer)]
        assert cites, ans.answer
        assert all(1 <= n <= len(ans.sources) for n in cites)
        assert [h.rank for h in ans.sources] == list(range(1, len(ans.sources) + 1))
        right += d["section"] in ans.sources[0].heading
        words = _words(ans.answer)
        assert sum(w in notes_text for w in words) / len(words) >= 0.8, ans.answer
    assert right / len(dev) >= 0.95


def test_scenario_answer_has_answer_line_and_exam_points(tutor, seed_corpus):
    ans = tutor.ask("Glue 작업을 가장 싸게 돌리려면 어떤 실행 클래스를 써야 해?")
    assert "6. AWS Glue FLEX 실행 클래스" in ans.sources[0].heading
    assert "**정답: Glue 작업 속성에서 FLEX 실행 클래스 선택**" in ans.answer
    assert "시험 포인트:" in ans.answer
    assert "**비용 최적화** = FLEX 실행 클래스로 50% 절약" in ans.answer
    # every quoted line is the notes' own line, verbatim; a code line is quoted with the label
    # or comment that names it ("FLEX 클래스: `…`", issue 8), each part the notes' own words
    notes = plain((seed_corpus / "0910-aws-data-engineering.md").read_text(encoding="utf-8").replace("\\", " "))
    for line in ans.answer.splitlines():
        body = re.sub(r"\s*\[\d+\]$", "", line).strip()
        if body and not body.startswith("```") and not body.endswith(":"):
            for part in body.lstrip("- ").split(": `"):
                assert plain(part.rstrip("`")) in notes, body


def test_off_topic_question_says_not_found_and_lists_sections(tutor):
    for q in ("김치찌개 맛있게 끓이는 법", "축구 오프사이드 규칙 설명해줘", "How do I bake sourdough bread?"):
        ans = tutor.ask(q)
        assert ans.answer.startswith(NOT_COVERED) and ans.covered is False and ans.verdict == "unknown", ans.answer
        assert re.search(r"\[1\]", ans.answer)
        assert len(ans.sources) >= 1
        assert any(h.heading.split(" > ")[1] in ans.answer for h in ans.sources)


def test_stream_in_template_mode_is_one_delta_then_the_answer(tutor):
    events = list(tutor.ask_stream("Redshift 클러스터 간 데이터 공유"))
    assert len(events) == 2
    (delta, none), (empty, ans) = events
    assert none is None and empty == ""
    assert delta == ans.answer and ans.mode == "template"


def test_follow_up_carries_the_previous_topic(tutor):
    first = tutor.ask("Glue 작업의 FLEX 실행 클래스")
    assert first.topic == "AWS Glue FLEX 실행 클래스 - 비용 최적화"  # the answer says what it was about
    follow = tutor.ask("그럼 그게 부적합한 상황은?", history=[first.turn])
    assert "6. AWS Glue FLEX" in follow.sources[0].heading
    assert "실시간 처리" in follow.answer


def test_blank_question_gives_a_notice_not_an_error(tutor):
    ans = tutor.ask("   ")
    assert ans.answer and ans.notice and ans.sources == ()


def test_mode_label_and_example_questions(tutor, seed_library):
    assert tutor.mode_label == "템플릿 모드 — LLM 미설정"
    assert Tutor(seed_library, ChatLLM("openai:gpt-4o-mini")).mode_label == "LLM: openai:gpt-4o-mini"
    qs = tutor.example_questions(4)
    assert len(qs) == 4 and len(set(qs)) == 4
    for q in qs[:2]:
        ans = tutor.ask(q)
        assert not ans.answer.startswith(NOT_COVERED) and ans.covered


@pytest.mark.parametrize("question, first, verdict", [
    ("시험에서 실시간 처리가 필요하다고 나오면 FLEX를 골라도 되나요?", "**아니요** — ", "no"),
    ("Glue FLEX는 배치 ETL 작업에 적합한가요?", "**예** — ", "yes"),
    ("FLEX 클래스는 Standard 대비 몇 퍼센트 할인돼?", "**50%** — ", None),
    ("쿠버네티스 파드 오토스케일링은 어떻게 설정하나요?", "**노트에서 찾지 못했습니다** — ", "unknown"),
    ("AWS Lambda 함수의 최대 실행 시간은?", "**노트에서 찾지 못했습니다** — ", "unknown"),
    ("DynamoDB 파티션 키는 어떻게 설계해야 하나요?", "**노트에서 찾지 못했습니다** — ", "unknown"),
    ("Redshift Spectrum으로 S3 데이터를 조회할 때 요금은?", "**노트에서 찾지 못했습니다** — ", "unknown"),
])
def test_answers_open_with_the_verdict_amount_or_not_covered(tutor, question, first, verdict):
    # issue 19's examples, with the real model's retrieval
    ans = tutor.ask(question)
    assert ans.answer.startswith(first) and ans.verdict == verdict, ans.answer
    assert ans.covered == (verdict != "unknown") and len(ans.answer) <= HARD_MAX


def test_prose_comes_before_code_in_the_core_answer(tutor):
    for q, said in (("EC2 인스턴스 스토어에 저장한 데이터는 인스턴스를 중지하면 어떻게 되나요?", "소실"),
                    ("Athena 워크그룹으로 쿼리 비용을 어떻게 제한하나요?", "스캔 제한")):
        lines = tutor.ask(q).answer.splitlines()
        core = [ln for ln in lines[lines.index("핵심 답:") + 1:] if ln.strip() and not ln.endswith(":")]
        assert "`" not in core[0], lines
        assert any(said in ln for ln in core[:2]), lines
