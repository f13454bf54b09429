"""What a question asks for (issue 8): its kind, the negative side, the unit of an amount —
and the option text rules of quizzes. Pure functions: no model is loaded."""
from __future__ import annotations

import random

import pytest

from tutor.common.question_type import amount_fits, amounts, classify
from tutor.quizzes.options import STRAY_LETTER_RE, choose, clean_option, containment, leaks


@pytest.mark.parametrize("question, kind, negative, unit", [
    ("Glue FLEX는 DPU 시간당 얼마인가요?", "amount", False, "rate"),
    ("Redshift 데이터 공유로 바꾸면 비용이 몇 퍼센트 줄어?", "amount", False, "%"),
    ("FLEX 작업은 보통 시작까지 얼마나 지연돼?", "amount", False, "time"),
    ("EMR 클러스터를 Graviton으로 바꾸면 월 총 비용은?", "amount", False, "money"),
    ("Glue FLEX 실행 클래스는 언제 쓰나요?", "when", False, ""),
    ("그럼 쓰면 안 되는 경우는?", "when", True, ""),
    ("루트 볼륨 하나만 쓰면 뭐가 안 좋아?", "when", True, ""),
    ("Federated Query는 왜 적합하지 않아?", "why", True, ""),
    ("왜요?", "why", False, ""),
    ("Glue Standard와 FLEX 실행 클래스의 차이는?", "compare", False, ""),
    ("3-way handshake는 어떤 순서로 진행돼?", "process", False, ""),
    ("EBS 볼륨을 EC2 인스턴스에 붙이는 명령은?", "how", False, ""),
    ("AWS Data Exchange란 무엇인가요?", "what", False, ""),
    ("그럼 EBS는?", "what", False, ""),
    ("EMR 비용 최적화 문제의 정답은?", "general", False, ""),
])
def test_question_kinds(question, kind, negative, unit):
    qt = classify(question)
    assert (qt.kind, qt.negative, qt.unit) == (kind, negative, unit)


def test_setting_questions_are_recognised():
    assert classify("파티션 프로젝션을 켜는 테이블 속성은?").setting
    assert classify("Glue 작업을 FLEX로 돌리려면 어떤 설정을 바꿔야 해?").setting
    assert not classify("Glue FLEX 실행 클래스는 언제 쓰나요?").setting


def test_amounts_and_units():
    line = "요청 대기 → 유휴 용량 활용 → 50% 할인 요금 ($0.22/DPU-hour)"
    assert amounts(line) == ["50%", "$0.22"]
    assert amount_fits(line, "rate") and amount_fits(line, "%") and amount_fits(line, "money")
    assert not amount_fits("일반적 지연: 0~30분", "money") and amount_fits("일반적 지연: 0~30분", "time")
    assert amounts("노드를 늘린다") == []


def test_option_text_is_clean():
    raw = "**A. AWS Glue 파티션 인덱스 생성 + 파티션 필터링 활성화 + C. S3 버킷 prefix 기반 Athena 파티션 프로젝션**"
    clean = clean_option(raw)
    assert clean == "AWS Glue 파티션 인덱스 생성 + 파티션 필터링 활성화 + S3 버킷 prefix 기반 Athena 파티션 프로젝션"
    assert not STRAY_LETTER_RE.search(clean) and STRAY_LETTER_RE.search(raw)
    assert clean_option("데이터 복사 방식 (오답)") == "데이터 복사 방식"
    assert clean_option("✅ **배치 ETL 작업**") == "배치 ETL 작업"
    assert clean_option("`'projection.enabled' = 'true'`") == "'projection.enabled' = 'true'"


def test_leaks_and_containment():
    assert leaks("FLEX", "[Glue FLEX 실행 클래스] 빈칸에 들어갈 말은?")
    assert not leaks("실시간 처리", "다음 중 FLEX 실행 클래스가 적합하지 않은 경우는?")
    assert containment("FLEX 실행 클래스", "FLEX 실행 클래스가 적합하지 않은 경우는?") == 1.0
    assert containment("SLA 요구사항", "FLEX 실행 클래스가 적합하지 않은 경우는?") == 0.0


def test_choose_keeps_the_correct_option_from_standing_out():
    # a correct option longer than most of the pool and sharing the stem's words: over many
    # items it must be neither usually the longest nor usually the one closest to the stem
    stem = "[Glue FLEX 실행 클래스] 시험 포인트 '비용 최적화'에 해당하는 것은?"
    correct = "FLEX 실행 클래스로 50% 절약"
    pool = ["특정 시간 완료 불필요한 작업", "AWS 리소스 효율적 사용", "Glue Catalog 인덱스 활용",
            "워크그룹 기반 비용/권한 제어", "Standard 실행 클래스로 즉시 실행", "Glue 작업 비용 최적화 모드",
            "FLEX 클래스 요청 대기", "에너지 효율적 프로세서", "실행 클래스별 시험 포인트 정리"]
    longest = closest = made = 0
    for seed in range(200):
        opts = choose(correct, stem, [pool], random.Random(seed))
        if opts is None:
            continue
        made += 1
        assert len(opts) == 4 and correct in opts and len(set(opts)) == 4
        longest += max(opts, key=len) == correct
        closest += max(opts, key=lambda o: containment(o, stem)) == correct
    assert made >= 150
    assert longest / made <= 0.4 and closest / made <= 0.4, (longest / made, closest / made)


def test_choose_refuses_an_item_the_question_gives_away():
    stem = "Redshift 클러스터의 데이터를 BI용 Redshift 클러스터와 공유하는 방법은?"
    pool = ["EBS 볼륨 연결", "Graviton 인스턴스 사용", "Athena 워크그룹", "FLEX 실행 클래스"]
    assert choose("Redshift 클러스터 데이터 공유", stem, [pool], random.Random(0)) is None
    assert choose("Redshift 클러스터 데이터 공유", stem, [pool[:2]], random.Random(0)) is None  # too few


@pytest.mark.parametrize("line, found", [
    ("라우터 점검 주기는 열이레입니다.", ["열이레"]),
    ("백업은 이틀마다, 감사는 보름마다 합니다.", ["이틀", "보름"]),
    ("하루에 두 번 복제합니다.", ["하루", "두 번"]),
    ("세션은 삼십 초 뒤에 끊깁니다.", ["삼십 초"]),
    ("이십사 시간 운영합니다.", ["이십사 시간"]),
    ("한 번에 한 건씩 처리합니다.", []),  # "at a time", not an amount
    ("이 분이 담당합니다.", []),  # "this person"
    ("고이레 서버", []),  # inside a word
])
def test_amounts_in_words(line, found):
    assert amounts(line) == found
