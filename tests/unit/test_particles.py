"""Korean particles fit the word before them (issue 24): one helper for every generated sentence."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tutor.common.particles import josa, particle

ROOT = Path(__file__).resolve().parents[2]

# word, 이/가, 을/를, 은/는, 과/와, (으)로 — the word's last sound decides
TABLE = [
    ("데이터", "가", "를", "는", "와", "로"),  # no 받침
    ("파티션", "이", "을", "은", "과", "으로"),  # 받침 ㄴ
    ("복원", "이", "을", "은", "과", "으로"),  # "데이터 복원 로" was the bug
    ("서울", "이", "을", "은", "과", "로"),  # ㄹ받침 takes 로
    ("파일", "이", "을", "은", "과", "로"),
    ("Graviton", "이", "을", "은", "과", "으로"),  # a word read as it sounds: 그래비톤
    ("Spark", "가", "를", "는", "와", "로"),  # 스파크
    ("table", "이", "을", "은", "과", "로"),  # 테이블: ㄹ
    ("SQL", "이", "을", "은", "과", "로"),  # an acronym letter by letter: 에스큐엘
    ("API", "가", "를", "는", "와", "로"),  # 에이피아이
    ("URL", "이", "을", "은", "과", "로"),  # 유알엘
    ("EBS", "가", "를", "는", "와", "로"),  # 이비에스
    ("VM", "이", "을", "은", "과", "으로"),  # 브이엠
    ("S3", "이", "을", "은", "과", "으로"),  # 삼
    ("EC2", "가", "를", "는", "와", "로"),  # 이
    ("7", "이", "을", "은", "과", "로"),  # 칠: ㄹ
    ("16", "이", "을", "은", "과", "으로"),  # 십육
    ("10", "이", "을", "은", "과", "으로"),  # 십
    ("15", "가", "를", "는", "와", "로"),  # 십오
    ("1,000", "이", "을", "은", "과", "으로"),  # 천
    ("0.5", "가", "를", "는", "와", "로"),  # 영점오
    ("30초", "가", "를", "는", "와", "로"),
    ("22%", "가", "를", "는", "와", "로"),  # 퍼센트
    ("「오답」", "이", "을", "은", "과", "으로"),  # quotes are skipped
    ("'projection.enabled'", "가", "를", "는", "와", "로"),
]


@pytest.mark.parametrize("word,i_ga,eul_reul,eun_neun,gwa_wa,euro", TABLE)
def test_particles_over_a_table_of_words(word, i_ga, eul_reul, eun_neun, gwa_wa, euro):
    got = tuple(particle(word, p) for p in ("이/가", "을/를", "은/는", "과/와", "(으)로"))
    assert got == (i_ga, eul_reul, eun_neun, gwa_wa, euro)
    assert josa(word, "(으)로") == word + euro


def test_a_word_ending_in_nothing_readable_gets_both_forms():
    assert josa("C++", "이/가") == "C++이(가)"
    assert josa("→", "(으)로") == "→(으)로"
    assert particle("23", "이다/다") == "이다" and particle("22", "이다/다") == "다"


def test_no_generated_sentence_hard_codes_a_particle_after_a_value():
    """Every generated sentence takes its particle from the helper: no "{x} 로 적혀", no
    "{x}(으)로" left in the quiz generators or the interfaces."""
    bad = re.compile(r"\}\s?(?:로|으로) 적혀|\}'?\(으\)로|\} 로\b")
    hits = []
    for folder in ("tutor/quizzes", "studyapp", "interfaces"):
        for path in (ROOT / folder).rglob("*.py"):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if bad.search(line):
                    hits.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert hits == []
