"""Answers open with what was asked (issue 19), over the seed notes with the fake embedder:
a yes/no question with **예** / **아니요** and the deciding line cited, or 판단할 수 없습니다;
an amount question with the number; a question the notes do not cover with 노트에서 찾지
못했습니다 and the nearest sections; explaining lines before code; the `verdict` and `covered`
fields; no answer over 900 characters."""
from __future__ import annotations

import re

import pytest

from tutor.answers.shape import NOT_COVERED, UNKNOWN, code_asked, lead_amount
from tutor.answers.tutor import HARD_MAX, Tutor
from tutor.common.question_type import classify


@pytest.fixture(scope="module")
def tutor(seed_library):
    return Tutor(seed_library)


def _first(ans) -> str:
    return ans.answer.splitlines()[0]


def _core(ans) -> list[str]:
    """The quoted lines of the 핵심 답 (sub-section names left out)."""
    lines = ans.answer.splitlines()
    start = lines.index("핵심 답:") + 1
    out = []
    for ln in lines[start:]:
        if not ln.strip():
            break
        if not (ln.endswith(":") and "[" not in ln):
            out.append(ln)
    return out


@pytest.mark.parametrize("question, verdict, said", [
    ("Glue FLEX는 배치 ETL 작업에 적합한가요?", "yes", "배치 ETL 작업"),
    ("실시간 처리가 필요한 작업에 Glue FLEX를 써도 되나요?", "no", "실시간 처리"),
    ("시험에서 실시간 처리가 필요하다고 나오면 FLEX를 골라도 되나요?", "no", "실시간 처리"),
])
def test_yes_no_question_opens_with_its_verdict_and_the_deciding_line(tutor, question, verdict, said):
    ans = tutor.ask(question)
    head = {"yes": "**예** — ", "no": "**아니요** — "}[verdict]
    first = _first(ans)
    assert first.startswith(head) and said in first and re.search(r"\[\d\]$", first), ans.answer
    assert ans.verdict == verdict and ans.covered
    assert ans.to_dict()["verdict"] == verdict and ans.to_dict()["covered"] is True


def test_yes_no_question_the_notes_do_not_decide_says_so(tutor):
    # the notes name FLEX's delay, never whether it can be cancelled
    ans = tutor.ask("Glue FLEX 작업은 실행 중에 취소할 수 있나요?")
    assert ans.verdict == "unknown" and ans.to_dict()["verdict"] == "unknown"
    assert _first(ans).startswith((UNKNOWN, NOT_COVERED)), ans.answer


def test_question_that_is_not_yes_no_has_no_verdict(tutor):
    ans = tutor.ask("Glue FLEX 실행 클래스란 무엇인가요?")
    assert ans.covered and ans.verdict is None and ans.to_dict()["verdict"] is None
    assert not _first(ans).startswith(("**예**", "**아니요**", UNKNOWN))


def test_amount_question_opens_with_the_number(tutor):
    ans = tutor.ask("FLEX 클래스는 Standard 대비 몇 퍼센트 할인돼?")
    assert _first(ans).startswith("**50%** — ") and "[" in _first(ans), ans.answer
    ans = tutor.ask("Glue Standard 클래스의 DPU 시간당 요금은 얼마인가요?")
    assert _first(ans).startswith("**$0.44"), ans.answer


@pytest.mark.parametrize("question, lacking", [
    ("쿠버네티스 파드 오토스케일링은 어떻게 설정하나요?", "쿠버네티스"),
    ("AWS Lambda 함수의 최대 실행 시간은?", "Lambda"),
    ("DynamoDB 파티션 키는 어떻게 설계해야 하나요?", "DynamoDB"),
])
def test_out_of_scope_question_is_not_covered_and_offers_the_nearest_sections(tutor, question, lacking):
    ans = tutor.ask(question)
    first = _first(ans)
    assert first.startswith(NOT_COVERED) and lacking in first, ans.answer
    assert ans.covered is False and ans.verdict == "unknown"
    assert ans.to_dict()["covered"] is False and ans.to_dict()["verdict"] == "unknown"
    assert "가장 가까운 노트 섹션:" in ans.answer and ans.sources
    assert all(f"[{h.rank}]" in ans.answer for h in ans.sources)


def test_near_miss_question_names_what_the_section_lacks(tutor):
    ans = tutor.ask("Redshift 데이터 공유의 최대 소비자 수는?")
    assert ans.covered is False and _first(ans).startswith(NOT_COVERED), ans.answer
    assert "소비자" in _first(ans) and "Redshift" in ans.answer


def test_explaining_line_comes_before_code(tutor):
    ans = tutor.ask("EC2 인스턴스 스토어에 저장한 데이터는 인스턴스를 중지하면 어떻게 되나요?")
    core = _core(ans)
    assert core and "`" not in core[0], ans.answer
    assert any("소실" in ln or "삭제" in ln for ln in core)
    ans = tutor.ask("Athena 워크그룹으로 쿼리 비용을 어떻게 제한하나요?")
    core = _core(ans)
    assert "`" not in core[0] and "데이터 스캔 제한" in core[0], ans.answer


def test_a_question_asking_for_a_setting_may_lead_with_code(tutor):
    q = "Athena 워크그룹에서 쿼리당 스캔 한도를 정하는 설정 이름은?"
    assert code_asked(q, classify(q))
    ans = tutor.ask(q)
    assert "BytesScannedCutoffPerQuery" in "\n".join(_core(ans)), ans.answer


def test_lead_amount_is_the_result_not_the_question_own_numbers():
    q = "5 DPU로 2시간 도는 일일 ETL 작업을 Standard 클래스로 돌리면 하루 비용은 얼마야?"
    assert lead_amount("비용 = 2시간 × 5 DPU × $0.44 = $4.4/일", q, classify(q)) == "$4.4/일"


def test_no_answer_is_longer_than_900_characters(tutor):
    assert HARD_MAX == 900
    for q in ("Athena 파티션 프로젝션의 정답과 시험 포인트는?", "EMR Graviton 인스턴스에 대해 알려줘",
              "Glue FLEX와 Standard 비교", "EBS 볼륨과 인스턴스 스토어의 차이는?"):
        assert len(tutor.ask(q).answer) <= HARD_MAX


def test_amounts_written_in_words_answer_an_amount_question(tmp_path, embedder, tokenizer):
    """Korean notes write many amounts in words: "열이레" (17 days), "이틀", "두 번" answer the
    question as "24개" does — never "노트에서 찾지 못했습니다" over a line that holds the answer."""
    from tests.support.libraries import build_index, open_library

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "ops.md").write_text(
        "# 제1장 라우터 관리\n\n라우터 점검 주기는 열이레입니다.\n점검 기록은 네트워크 대장에 남깁니다.\n\n"
        "# 제2장 스위치\n\n스위치 포트는 24개입니다.\n스위치 교체 주기는 3년입니다.\n\n"
        "# 제3장 백업\n\n백업은 이틀마다 합니다.\n복구 훈련은 한 달에 두 번 합니다.\n", encoding="utf-8")
    lib = open_library(notes, build_index(notes, tmp_path / "index", embedder, tokenizer), embedder, tokenizer)
    tutor = Tutor(lib)
    for question, lead in [("라우터 점검 주기는 얼마인가요?", "열이레"), ("백업 주기는 얼마인가요?", "이틀"),
                           ("복구 훈련은 몇 번 하나요?", "두 번"), ("스위치 포트는 몇 개인가요?", "24개")]:
        ans = tutor.ask(question)
        assert ans.covered and _first(ans).startswith(f"**{lead}** — "), (question, ans.answer)
