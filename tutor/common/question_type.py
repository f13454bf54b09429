"""What a question asks for: an amount, a case, a reason, a comparison, a method or a
definition — and whether it asks for the negative side ("쓰면 안 되는", "단점").

The kind decides which lines of the notes answer it (`focus`): an amount question wants a
line with a number and a unit, a "when" question the ✅/❌ lists, a negated one their ❌ side.
Cues are matched on the raw text (Korean question words are short and Kiwi tags some of
them as adverbs, which the retrieval tokenizer drops) and on Kiwi morphemes for the verbs.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal


QuestionKind = Literal["amount", "when", "why", "compare", "process", "how", "what", "general"]

# The order of this table is the precedence: "왜 비용이 얼마나 줄어?" is an amount question.
_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("general", re.compile(r"정답|시험\s*포인트|요약|정리")),  # the section's own answer and summary
    ("amount", re.compile(r"얼마|몇\s*(?:%|퍼센트|개|초|분|시간|배|번|명|건|년|일|GB|TB|달러|원)?|비용\s*(?:은|는|이)?\s*\??$|"
                          r"비용이\s*(?:얼마|들|나와)|요금|가격|금액|"
                          r"단가|퍼센트|%|비율|절약률|할인율|수치|개수|횟수|(?:^|\s)\S+\s+수(?:는|가|은)?\s*\??$|"
                          r"\bhow\s+(?:much|many|long)\b|\bcost\b|\bprice\b",
                          re.I)),
    ("why", re.compile(r"왜|이유|까닭|원인|어째서|무엇\s*때문|\bwhy\b", re.I)),
    ("compare", re.compile(r"차이|비교|다른\s*점|다른가|달라|\bvs\.?\b|대비|어느\s*(?:쪽|것)|\bdifference\b|\bcompare", re.I)),
    ("when", re.compile(r"언제|어떤\s*(?:경우|상황|때)|경우|상황|적합|적절|알맞|맞는\s*작업|써야|쓰면|사용해야|\bwhen\b", re.I)),
    ("process", re.compile(r"어떻게\s*(?:동작|작동|진행|처리|돌아가|흘러|이루어)|원리|과정|흐름|순서|절차|단계|구조|"
                           r"아키텍처|메커니즘|\bhow\s+does\b|\bwork(?:s|flow)?\b", re.I)),
    ("how", re.compile(r"어떻게|방법|설정|명령|코드|속성|파라미터|옵션|켜|끄|활성화|구성하|만들|하려면|"
                       r"SQL\s*(?:은|는|문)?\s*\??$|쿼리문|구문|스크립트|"
                       r"\bhow\b|\bconfigure|\bsetting", re.I)),
    ("what", re.compile(r"무엇|뭐|뭔|란\?|이란|정의|개념|뜻|의미|\bwhat\b", re.I)),
)

_NEGATIVE_RE = re.compile(
    r"안\s*되|안\s*돼|안\s*좋|부적합|부적절|적합하지|맞지\s*않|단점|피해야|피하|하지\s*말|쓰지\s*말|않|못|문제점|"
    r"오답|틀린|위험|한계|제약|주의|유의|조심|고려\s*사항|문제가\s*(?:생|있|되)|\bnot\b|\bavoid\b|\bdrawback", re.I)

# Words a question is made of whatever it asks about: they say what kind of answer is wanted
# and are no evidence for one line over another.
CUE_TERMS = frozenset(
    "얼마 몇 비용 요금 가격 금액 비율 수치 왜 이유 까닭 원인 차이 비교 대비 언제 경우 상황 적합 부적합 적절 "
    "어떻게 방법 설정 절차 단계 무엇 뭐 정의 개념 뜻 의미 쓰 사용 되 하 있 없 알 알려주 설명 좋 나쁘 "
    "안 않 못 피하 말 그럼 그것 그거 이것 때 점 다르 같 해야 켜 끄 어떤 어느 당 이름 역할 어떻 어떠".split())

# Units that follow a number in notes; "per" units (/월, /DPU-hour) are rates.
UNIT_RE = re.compile(
    r"(?:[$₩€]\s?\d[\d,]*(?:\.\d+)?|\d[\d,]*(?:\.\d+)?\s?(?:%|퍼센트|초|분|시간|일|주|개월|월|년|세기|배|개|회|건|명|원|"
    r"달러|번|비트|바이트|홉|단계|계층|노드|대|위|ms|s\b|bit|byte|[KMG]?bps|GB|TB|MB|KB|vCPU|DPU|RAM|[kKmM]\b)|"
    r"\d+\s?[x×]\s?\d+|수\s?(?:십|백|천|만)?\s?(?:초|분|시간|일|주|개월|년|배|개|명|건))")
_RATE_RE = re.compile(r"/\s?[\w-]+|당\b|\bper\b", re.I)
_PER_TWINS = (("시간", "hour"), ("시간", "h"), ("분", "min"), ("초", "sec"), ("초", "s"), ("일", "day"),
              ("월", "month"), ("년", "year"), ("개", "unit"), ("건", "request"), ("명", "user"))
_PER_ASKED_RE = re.compile(r"\S당\b|\S당\s|\bper\b|단가", re.I)
_PERCENT_ASKED_RE = re.compile(r"%|퍼센트|비율|몇\s*프로|절약률|할인율|\bpercent", re.I)
_MONEY_ASKED_RE = re.compile(r"비용|요금|가격|금액|단가|달러|원\b|\bcost|\bprice", re.I)
_CHANGE_ASKED_RE = re.compile(r"절감|절약|줄|감소|향상|빨라|늘|증가|할인|개선", re.I)
_SETTING_ASKED_RE = re.compile(r"설정\s*(?:이름|값|키|항목)|(?:어떤|무슨|어느)\s*설정|설정을\s*바꾸|지정|속성|파라미터|매개변수|옵션|플래그|프로퍼티|"
                               r"API|함수|메서드|\bparameter|\bproperty|\boption|\bflag", re.I)
_TIME_ASKED_RE = re.compile(r"얼마나\s*(?:걸|기다|오래|빨라|느려|지연)|몇\s*(?:초|분|시간|일)|시간이|지연|\blong\b", re.I)


@dataclass(frozen=True)
class QuestionType:
    kind: QuestionKind
    negative: bool = False  # asks for the ❌ side: 안 되는, 부적합, 단점, 피해야
    unit: str = ""  # for amounts: "%", "money", "time", "rate" or "" (any number)
    setting: bool = False  # asks for a setting, property, option or command by name
    per: str = ""  # a rate's unit ("시간당 얼마" → "시간|hour"), a regex alternation


def classify(question: str) -> QuestionType:
    """The kind of a question from its cue words (see `_CUES` for the precedence)."""
    q = " ".join((question or "").split())
    kind: QuestionKind = "general"
    for name, rx in _CUES:
        if rx.search(q):
            kind = name  # type: ignore[assignment]
            break
    negative = bool(_NEGATIVE_RE.search(q))
    if kind == "general" and not _CUES[0][1].search(q) and len(re.findall(r"[\w.+-]+", q)) <= 3:
        kind = "what"  # "그럼 EBS는?": a bare topic asks what it is
    if negative and kind in ("general", "what"):
        kind = "when"  # "쓰면 안 되는 건?": the ❌ side of a list is what answers it
    unit = _asked_unit(q) if kind == "amount" else ""
    return QuestionType(kind, negative, unit, bool(_SETTING_ASKED_RE.search(q)), _per_unit(q) if unit == "rate" else "")


def _per_unit(q: str) -> str:
    """The unit of "X당" / "per X", with its English or Korean twin."""
    m = re.search(r"([A-Za-z가-힣]+)당|\bper\s+([A-Za-z]+)", q)
    if not m:
        return ""
    word = (m.group(1) or m.group(2)).lower()
    twins = [word] + [b for a, b in _PER_TWINS if a == word] + [a for a, b in _PER_TWINS if b == word]
    return "|".join(re.escape(w) for w in dict.fromkeys(twins))


def _asked_unit(q: str) -> str:
    """The unit an amount question wants; "" when any number will do ("몇 개", "한도는 얼마")."""
    if _PERCENT_ASKED_RE.search(q):
        return "%"
    if _TIME_ASKED_RE.search(q):
        return "time"
    if _PER_ASKED_RE.search(q):
        return "rate"  # "시간당 얼마": a number per unit
    if _MONEY_ASKED_RE.search(q) and not _CHANGE_ASKED_RE.search(q):  # "얼마나 절감": often a %
        return "money"
    return ""


# Amounts written in words, as Korean notes often do: days counted in native words ("이틀",
# "열이레", "보름"), native counts before a counter ("두 번", "세 시간", "한 달") and Sino-Korean
# numerals with a place word before a unit ("삼십 초", "이십사 시간"). "한 번" is left out: it
# mostly means "once / at a time", not an amount.
_DAY_WORDS = "(?:열|스무)?(?:하루|이틀|사흘|나흘|닷새|엿새|이레|여드레|아흐레)|열흘|보름|스무날"
_NATIVE = "두|세|네|다섯|여섯|일곱|여덟|아홉|열|스무|서른|마흔|쉰"
# a word amount that is a length of time beyond `amount_fits`' unit endings: days, months, years
_TIME_WORD_RE = re.compile(rf"^(?:{_DAY_WORDS})$|(?:달|해)$")
WORD_AMOUNT_RE = re.compile(
    rf"(?<![\uac00-\ud7a3])(?:{_DAY_WORDS}|한\s?(?:달|해|시간)"
    rf"|(?:{_NATIVE})(?:\s?(?:한|두|세|네|다섯|여섯|일곱|여덟|아홉))?\s?(?:번|개|명|시간|달|해|가지|차례|주일?|배|대|회)"
    r"|(?:[일이삼사오육칠팔구]?[십백천만])+[일이삼사오육칠팔구]?\s?(?:초|분|시간|일|주|개월|년|개|명|배|원|번|회))")


def amounts(text: str) -> list[str]:
    """The numbers with units in a line ("$0.22/DPU-hour" counts as "$0.22"), also those
    written in words ("열이레", "두 번", "삼십 초")."""
    return [m.group(0) for m in UNIT_RE.finditer(text)] + [m.group(0) for m in WORD_AMOUNT_RE.finditer(text)]


_RATE_TAIL_RE = re.compile(r"(?:\s?/\s?[\w-]+|당)?")


def full_amounts(text: str) -> list[str]:
    """The numbers with units in a line, a rate keeping its "/unit" ("$0.22/DPU-hour")."""
    out = []
    for m in UNIT_RE.finditer(text):
        if m.start() and text[m.start() - 1].isascii() and text[m.start() - 1].isalpha():
            continue  # "IPv4 주소", "m6g": part of a name, not an amount
        tail = _RATE_TAIL_RE.match(text, m.end())
        out.append(text[m.start():tail.end() if tail else m.end()].strip())
    return out + [m.group(0) for m in WORD_AMOUNT_RE.finditer(text)]


def amount_fits(text: str, unit: str, per: str = "") -> bool:
    """Whether a line holds an amount of the asked unit (`per`: a rate's unit words)."""
    found = amounts(text)
    if not found:
        return False
    if unit == "%":
        return any("%" in a or "퍼센트" in a for a in found)
    if unit == "money":
        return any(a[0] in "$₩€" or a.endswith(("원", "달러")) for a in found)
    if unit == "rate":
        if per:  # "$0.22/DPU-hour" answers "DPU 시간당"; "$2.2/일" does not
            return bool(re.search(rf"(?:/|\bper\s)[\w-]*?(?:{per})\b|(?:{per})\s?당", text, re.I))
        return bool(_RATE_RE.search(text))
    if unit == "time":
        return any(re.search(r"(초|분|시간|일|주|개월|ms|s)$", a) or _TIME_WORD_RE.search(a) for a in found)
    return True
