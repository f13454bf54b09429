"""The item-writing check (issue 24): each named rule turns away its bad example and keeps a
good one; the seed notes' quizzes show no item that breaks a rule, and the notes' own labels
such as "(오답)" never reach a header."""
from __future__ import annotations

import pytest

from retriever.structure import Section, Unit
from tutor.quizzes.candidates import Candidate
from tutor.quizzes.checks import RULES, Checks, RuleTable
from tutor.quizzes.lexicon import Lexicon
from tutor.quizzes.make import make_quiz

DEFS = (Unit("bullet", "**인스턴스 종료**: 인스턴스 스토어는 삭제, EBS는 보존", 10, 10, "영속성 보장",
             "인스턴스 종료", "인스턴스 스토어는 삭제, EBS는 보존"),
        Unit("bullet", "**새 인스턴스 시작**: 동일 EBS 볼륨 재연결로 데이터 복원", 11, 11, "영속성 보장",
             "새 인스턴스 시작", "동일 EBS 볼륨 재연결로 데이터 복원"))
FITS = (Unit("pro", "✅ **배치 ETL 작업**: 특정 시간 완료 불필요", 20, 20, "적합한 상황", "배치 ETL 작업",
             "특정 시간 완료 불필요", "✅"),
        Unit("pro", "✅ **일일/주간 정기 작업**: 유연한 실행 시간 허용", 21, 21, "적합한 상황", "일일/주간 정기 작업",
             "유연한 실행 시간 허용", "✅"),
        Unit("pro", "✅ **비용 민감한 워크로드**: 50% 비용 절약 중요", 22, 22, "적합한 상황", "비용 민감한 워크로드",
             "50% 비용 절약 중요", "✅"),
        Unit("pro", "✅ **개발/테스트 환경**: 즉시 실행 불필요", 23, 23, "적합한 상황", "개발/테스트 환경",
             "즉시 실행 불필요", "✅"),
        Unit("con", "❌ **실시간 처리**: 즉시 실행 필요", 25, 25, "부적합한 상황", "실시간 처리", "즉시 실행 필요", "❌"),
        Unit("con", "❌ **SLA 요구사항**: 정확한 완료 시간 필요", 26, 26, "부적합한 상황", "SLA 요구사항",
             "정확한 완료 시간 필요", "❌"),
        Unit("con", "❌ **의존성 있는 작업**: 다른 작업이 결과 대기", 27, 27, "부적합한 상황", "의존성 있는 작업",
             "다른 작업이 결과 대기", "❌"))
SEC = Section("notes.md", "6. AWS Glue FLEX 실행 클래스 - 비용 최적화", "notes.md > 6. AWS Glue FLEX", (1, 30),
              DEFS + FITS)


@pytest.fixture(scope="module")
def checks(tokenizer) -> Checks:
    return Checks(Lexicon(tokenizer))


def item(kind: str, question: str, answer: str, options=(), unit: Unit | None = None, **kw) -> Candidate:
    return Candidate(kind, question, tuple(options), answer, "해설", SEC, unit, "fact", **kw)


CASES = {  # rule → (an item that breaks it, a good item of the same form)
    "answer_in_prompt": (
        item("short", "[AWS Data Exchange] 다음 설명에 해당하는 용어는?\n→ 데이터 공급자가 업데이트하면 자동으로 최신 데이터 제공",
             "자동 업데이트"),
        item("short", "[AWS Data Exchange] 다음 설명에 해당하는 용어는?\n→ 서드파티 데이터 공급자와 소비자를 연결",
             "데이터 마켓플레이스")),
    "header_has_answer": (
        item("cloze", "[Amazon Athena Workgroup - Spark 엔진 지원] 빈칸에 들어갈 말은?\nAthena Spark 지원 = ____의 엔진 설정",
             "워크그룹"),
        item("cloze", "[Amazon Athena 파티션 성능 최적화] 빈칸에 들어갈 말은?\n파티션 프로젝션: 새로운 파티션들에 대한 ____ 우회 접근",
             "메타스토어")),
    "raw_label": (
        item("flashcard", "[Amazon Redshift Data Sharing · 데이터 복사 방식 (오답)] 동기화 복잡성",
             "ETL과 BI 간 데이터 일관성 관리 필요"),
        item("flashcard", "[Amazon Redshift Data Sharing · 잘못된 방식: 데이터 복사] 동기화 복잡성",
             "ETL과 BI 간 데이터 일관성 관리 필요")),
    "cloze_low_info": (
        item("cloze", "[Amazon Redshift Data Sharing] 빈칸에 들어갈 말은?\nETL용 Redshift 클러스터의 데이터를 BI용 Redshift "
             "클러스터와 공유, 중요한 분석 작업 ____ 없이 컴퓨팅 리소스 사용 최소화", "중단"),
        item("cloze", "[AWS Data Exchange] 빈칸에 들어갈 말은?\n미디어 회사가 서드파티 데이터셋을 기존 분석 플랫폼에 통합, "
             "최소한의 운영 ____로 구현", "오버헤드")),
    "ox_label_swap": (
        item("ox", "[EC2 데이터 영속성] 노트의 내용과 맞으면 O, 틀리면 X:\n'새 인스턴스 시작': 「인스턴스 스토어는 삭제, EBS는 보존」",
             "X", ("O", "X"), DEFS[1], shown="인스턴스 스토어는 삭제, EBS는 보존", truth=DEFS[1].value,
             label="새 인스턴스 시작"),
        item("ox", "[EC2 데이터 영속성] 노트의 내용과 맞으면 O, 틀리면 X:\n'새 인스턴스 시작': 「Glue Catalog 인덱스 활용」",
             "X", ("O", "X"), DEFS[1], shown="Glue Catalog 인덱스 활용", truth=DEFS[1].value, label="새 인스턴스 시작")),
    "flashcard_restates": (
        item("flashcard", "[Amazon Redshift Data Sharing · 잘못된 방식: 데이터 복사] 비용 증가", "스토리지 비용이 증가",
             unit=Unit("bullet", "**비용 증가**: 스토리지 비용이 증가", 30, 30, "", "비용 증가", "스토리지 비용이 증가")),
        item("flashcard", "[AWS Data Exchange · 핵심 개념] 데이터 마켓플레이스", "서드파티 데이터 공급자와 소비자를 연결",
             unit=Unit("bullet", "**데이터 마켓플레이스**: 서드파티 데이터 공급자와 소비자를 연결", 5, 5, "",
                       "데이터 마켓플레이스", "서드파티 데이터 공급자와 소비자를 연결"))),
    "mcq_all_true": (
        item("mcq", "[AWS Glue FLEX 실행 클래스 (적합한 상황)] '배치 ETL 작업'에 대한 설명으로 노트에 적힌 것은?",
             "특정 시간 완료 불필요", ("유연한 실행 시간 허용", "특정 시간 완료 불필요", "50% 비용 절약 중요", "즉시 실행 불필요"),
             FITS[0]),
        item("mcq", "[AWS Glue FLEX 실행 클래스 (적합한 상황)] '배치 ETL 작업'에 대한 설명으로 노트에 적힌 것은?",
             "특정 시간 완료 불필요", ("즉시 실행 필요", "특정 시간 완료 불필요", "정확한 완료 시간 필요", "다른 작업이 결과 대기"),
             FITS[0])),
}


def test_every_rule_has_a_case():
    assert set(CASES) == set(RULES)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_rule_rejects_its_bad_example_and_keeps_a_good_one(checks, rule):
    bad, good = CASES[rule]
    assert rule in checks.broken(bad)
    assert checks.broken(good) == ()


def test_the_issue_examples_break_their_rules(checks):
    """The flashcard "스토리지 중복 → 동일 데이터를 두 번 저장" of a ❌ list: a claim and its reason."""
    con = Unit("con", "❌ **스토리지 중복**: 동일 데이터를 두 번 저장", 40, 40, "데이터 복사 방식 (오답)", "스토리지 중복",
               "동일 데이터를 두 번 저장", "❌")
    card = item("flashcard", "[Amazon Redshift Data Sharing · 잘못된 방식: 데이터 복사] 스토리지 중복", "동일 데이터를 두 번 저장",
                unit=con)
    assert checks.broken(card) == ("flashcard_restates",)
    assert "cloze_low_info" in checks.broken(item("cloze", "빈칸에 들어갈 말은?\n데이터____ 저장", "를"))


def test_a_header_holding_the_answer_is_dropped_and_the_item_kept(checks):
    bad = CASES["header_has_answer"][0]
    table = RuleTable()
    kept = checks.vet(bad, table)
    assert kept is not None and not kept.question.startswith("[") and "Workgroup" not in kept.question
    assert table.repaired == 1 and table.checked == 1 and sum(table.broken.values()) == 0
    assert checks.vet(CASES["answer_in_prompt"][0], table) is None
    assert table.broken["answer_in_prompt"] == 1 and table.examples["answer_in_prompt"]


def test_seed_quizzes_show_no_item_breaking_a_rule(seed_library, tokenizer):
    checks = Checks(Lexicon(tokenizer))
    shown = [it for seed in range(5) for it in make_quiz(seed_library, n=20, seed=seed).items]
    assert len(shown) == 100
    by_id = {}
    from tutor.quizzes.pool import MEMO_KEY
    pool = seed_library.memo(MEMO_KEY, lambda: None)
    for seed in range(5):  # the finished candidates behind the items, checked again here
        for c in pool.drafts:
            done = pool.finish(c, seed)
            if done is not None:
                by_id[done.to_item().id] = done
    assert all(it.id in by_id for it in shown)
    assert [it.id for it in shown if checks.broken(by_id[it.id])] == []
    assert not any(m in it.question for it in shown for m in ("(오답)", "(부분적)"))
    assert pool.table.checked > len(pool.drafts)  # every draft was looked at; some were turned away
