"""Korean-aware tokenizer for BM25 and term highlighting.

Korean runs go through Kiwi and keep only content morphemes, so 파티션을/파티션이 both give
파티션. ASCII terms (service names, identifiers, instance types, numbers) are cut out
before Kiwi sees the text and kept lower-cased, whole and by their parts:
`BytesScannedCutoffPerQuery` → bytescannedcutoffperquery, bytes, scanned, cutoff, per, query.
Common Hangul transliterations of technical names (아테나, 레드시프트 …) are folded onto the
English term so either spelling finds the other.
"""
from __future__ import annotations

import re
import sys
import threading
from typing import Callable, Iterable, NamedTuple, Protocol, Sequence

# Kiwi part-of-speech tags that carry content: nouns, numerals, verb/adjective stems,
# roots, Hanja. Particles, endings, suffixes and bound nouns (것, 수, 개 …) are dropped.
CONTENT_TAGS = ("NNG", "NNP", "NR", "VV", "VA", "XR", "SH")
# ... except the bound nouns that name things: Kiwi tags units and currencies NNB too (온스, 갤런,
# 킬로그램, 달러, 바이트), and "온스를 갤런으로 변환하기" kept only 변환. A bound noun of two or more
# syllables is a term unless it is one of these: the grammatical ones (the one-syllable ones — 것,
# 수, 등, 데, 중 — all are), and 퍼센트/프로, since "10%" gives no term for its "%" and the two
# spellings must search alike. Counted on 6,000 msmarco-ko passages and the seed notes, the other
# multi-syllable NNBs were units, currencies and counters.
DROPPED_BOUND_NOUNS = frozenset("가지 때문 만큼 대로 듯이 무렵 즈음 나름 따위 따름 나위 마련 노릇 번째 퍼센트 프로".split())

# Hangul spelling → canonical English term. Used on both sides (index and query).
TRANSLITERATIONS: dict[str, str] = {
    "아테나": "athena", "레드시프트": "redshift", "그래비톤": "graviton", "글루": "glue",
    "익스체인지": "exchange", "이엠알": "emr", "이엠아르": "emr", "이씨투": "ec2", "이시투": "ec2",
    "이비에스": "ebs", "에스쓰리": "s3", "에스3": "s3", "람다": "lambda", "키네시스": "kinesis",
    "스파크": "spark", "하둡": "hadoop", "하이브": "hive", "파티션": "partition",
    "프로젝션": "projection", "인덱스": "index", "쿼리": "query", "클러스터": "cluster",
    "인스턴스": "instance", "노드": "node", "워크그룹": "workgroup", "스냅샷": "snapshot",
    "볼륨": "volume", "플렉스": "flex", "카탈로그": "catalog", "메타스토어": "metastore",
    "버킷": "bucket", "스토리지": "storage", "데이터셋": "dataset", "데이터베이스": "database",
    "다이나모디비": "dynamodb", "다이나모": "dynamo", "오로라": "aurora", "세이지메이커": "sagemaker",
    "클라우드워치": "cloudwatch", "클라우드포메이션": "cloudformation", "아마존": "amazon",
    "파이썬": "python", "스키마": "schema", "테이블": "table", "워크로드": "workload",
    "프로듀서": "producer", "컨슈머": "consumer", "네임스페이스": "namespace",
    "데이터셰어": "datashare", "셰어링": "sharing", "쉐어링": "sharing", "마켓플레이스": "marketplace",
    "엔진": "engine", "노트북": "notebook", "주피터": "jupyter", "메트릭": "metric",
    "알람": "alarm", "태스크": "task", "코어": "core", "마스터": "master", "잡": "job",
    "트리거": "trigger", "크롤러": "crawler", "파케이": "parquet", "아브로": "avro",
    "카프카": "kafka", "플링크": "flink", "엘라스틱서치": "elasticsearch", "오픈서치": "opensearch",
    "퀵사이트": "quicksight", "레이크포메이션": "lakeformation", "스텝펑션": "stepfunctions",
    "에어플로우": "airflow", "에이피아이": "api", "아이엠": "iam", "브이피씨": "vpc",
    "이티엘": "etl", "에스큐엘": "sql", "시큐얼": "sql", "디피유": "dpu", "에이엠아이": "ami",
}

# Counters that follow a number ("10,000개", "30초"); dropped only in that position.
UNIT_NOUNS = frozenset("개 초 분 월 일 년 회 배 명 원 건 번 차 주 개월 시간 만 천 억 조".split())

_STOP_ASCII = frozenset(
    "a an the of to in on for and or is are was were be been with by at as from that this it "
    "its how what which when where why who do does did can could should would i you we my our "
    "your use using used me about into than then there their them vs".split()
)

# Numbers with thousands separators first, then identifier-like ASCII runs.
_ASCII_RE = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|[A-Za-z0-9_]+(?:[.\-][A-Za-z0-9_]+)*")
_PART_RE = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z0-9]+|[A-Z0-9]+")
_HANGUL_RE = re.compile(r"[\uac00-\ud7a3\u3131-\u318e\u4e00-\u9fff]")


class Span(NamedTuple):
    term: str
    start: int
    end: int


class Morph(NamedTuple):
    """One morpheme with its part-of-speech tag (Sejong tags: NNG, NNP, SL, …)."""

    form: str
    tag: str
    start: int
    end: int


class Tokenizer(Protocol):
    """What callers of the retrieval library may rely on from a tokenizer."""

    def __call__(self, text: str) -> list[str]: ...

    def spans(self, text: str) -> list[Span]: ...

    def tokenize_many(self, texts: Iterable[str]) -> list[list[str]]: ...

    def split_sentences(self, text: str) -> list[tuple[int, int]]: ...

    def morphemes(self, text: str) -> list[Morph]: ...


def _stem(word: str) -> str:
    """Very light English plural folding: partitions → partition, queries → query."""
    if not word.isalpha() or len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def ascii_terms(raw: str) -> list[str]:
    """Whole term plus its parts, lower-cased; numbers lose their thousands commas."""
    if raw[0].isdigit() and "," in raw:
        return [raw.replace(",", "")]
    whole = raw.lower()
    out: list[str] = []
    if whole not in _STOP_ASCII:
        out.append(_stem(whole))
    pieces = [p for seg in re.split(r"[._\-]", raw) if seg for p in _PART_RE.findall(seg)]
    if len(pieces) > 1:
        for p in pieces:
            p = p.lower()
            if p not in _STOP_ASCII:
                t = _stem(p)
                if t != out[0] if out else True:
                    out.append(t)
    return out


_KIWI: dict[int, object] = {}  # num_workers → the loaded model, shared by every tokenizer
_KIWI_LOCK = threading.Lock()


def release_kiwi_memory() -> bool:
    """Give back what Kiwi's own allocator (mimalloc, linked into kiwipiepy) holds free: False
    when Kiwi is not loaded here or its library does not export `mi_collect`.

    Kiwi allocates in a 1 GiB mimalloc arena of its own, not on glibc's heaps (`malloc_trim`
    does not reach it). Tokenizing a scan's pages from several threads left ≈ 40 MB there that
    `mi_collect(force)` returned (measured, issue 20); called before a passage child starts."""
    mod = sys.modules.get("_kiwipiepy")
    if not _KIWI or mod is None or not getattr(mod, "__file__", None):
        return False
    try:
        import ctypes

        collect = ctypes.CDLL(mod.__file__).mi_collect
    except (OSError, AttributeError):
        return False
    collect.argtypes, collect.restype = [ctypes.c_bool], None
    collect(True)
    return True


def _load_kiwi(num_workers: int):
    """The Kiwi model for `num_workers`, loaded once per process (it takes seconds and ~100 MB;
    the loaded model is read-only and safe to share between threads)."""
    with _KIWI_LOCK:
        kiwi = _KIWI.get(num_workers)
        if kiwi is None:
            from kiwipiepy import Kiwi

            # The typo and multi-word dictionaries halve the load time and add nothing
            # to content-morpheme matching.
            kiwi = Kiwi(num_workers=num_workers, load_typo_dict=False, load_multi_dict=False)
            for word in TRANSLITERATIONS:
                kiwi.add_user_word(word, "NNP", 0.0)
            _KIWI[num_workers] = kiwi
        return kiwi


class KiwiTokenizer:
    """Callable tokenizer; the Kiwi model loads on first use, once per process, shared by threads."""

    def __init__(self, num_workers: int = -1) -> None:
        self._kiwi = None
        self._num_workers = num_workers

    @property
    def kiwi(self):
        if self._kiwi is None:
            self._kiwi = _load_kiwi(self._num_workers)
        return self._kiwi

    # -- spans -------------------------------------------------------------------------
    def _ascii_spans(self, text: str) -> tuple[list[Span], str]:
        spans: list[Span] = []
        chars = list(text)
        for m in _ASCII_RE.finditer(text):
            for term in ascii_terms(m.group()):
                spans.append(Span(term, m.start(), m.end()))
            # Kiwi sees a Latin placeholder of the same length (tagged SL, dropped): offsets stay
            # aligned, and the particle after it stays a particle ("Graviton으로" gave a stray
            # noun 으 when the word was blanked out).
            chars[m.start():m.end()] = "a" * (m.end() - m.start())
        return spans, "".join(chars)

    @staticmethod
    def _kiwi_spans(tokens) -> list[Span]:
        spans = []
        for tok in tokens:
            if tok.tag.startswith(CONTENT_TAGS) or (
                    tok.tag == "NNB" and len(tok.form) > 1 and tok.form not in DROPPED_BOUND_NOUNS):
                form = tok.form.lower()
                spans.append(Span(TRANSLITERATIONS.get(form, form), tok.start, tok.start + tok.len))
        return spans

    @staticmethod
    def _merge(text: str, ascii_spans: list[Span], kiwi_spans: list[Span]) -> list[Span]:
        # "10,000개", "30초": Kiwi sees the counter without its number and calls it a noun.
        number_ends = {s.end for s in ascii_spans if text[s.end - 1].isdigit()}
        kiwi_spans = [s for s in kiwi_spans if not (s.start in number_ends and s.term in UNIT_NOUNS)]
        return sorted(ascii_spans + kiwi_spans, key=lambda s: (s.start, s.end))

    def spans(self, text: str) -> list[Span]:
        """Terms with their character offsets in `text`, in text order."""
        ascii_spans, rest = self._ascii_spans(text)
        kiwi_spans = self._kiwi_spans(self.kiwi.tokenize(rest)) if _HANGUL_RE.search(rest) else []
        return self._merge(text, ascii_spans, kiwi_spans)

    def __call__(self, text: str) -> list[str]:
        return [s.term for s in self.spans(text)]

    def tokenize_many(self, texts: Iterable[str]) -> list[list[str]]:
        """Batch form; lets Kiwi use its worker threads."""
        texts = list(texts)
        prepared = [self._ascii_spans(t) for t in texts]
        need = [i for i, (_, rest) in enumerate(prepared) if _HANGUL_RE.search(rest)]
        kiwi_out: dict[int, list[Span]] = {}
        if need:
            for i, toks in zip(need, self.kiwi.tokenize([prepared[i][1] for i in need])):
                kiwi_out[i] = self._kiwi_spans(toks)
        return [[s.term for s in self._merge(text, ascii_spans, kiwi_out.get(i, []))]
                for i, (text, (ascii_spans, _)) in enumerate(zip(texts, prepared))]

    def split_sentences(self, text: str) -> list[tuple[int, int]]:
        """Sentence (start, end) offsets by Kiwi."""
        return [(s.start, s.end) for s in self.kiwi.split_into_sents(text)]

    def presplit(self, texts: Sequence[str]) -> Callable[[str], list[tuple[int, int]]]:
        """`split_sentences`, with `texts` split all at once first on Kiwi's worker threads (the
        same offsets; one long line at a time took ~13 ms of one core: ~6 s of 150 OCR'd pages)."""
        texts = list(dict.fromkeys(texts))
        try:
            done = dict(zip(texts, ([(s.start, s.end) for s in sents]
                                    for sents in self.kiwi.split_into_sents(texts)))) if texts else {}
        except Exception:  # noqa: BLE001 — each text is then split on its own, as before
            done = {}
        return lambda text: done[text] if text in done else self.split_sentences(text)

    def morphemes(self, text: str) -> list[Morph]:
        """Every morpheme of `text` with its Kiwi tag and offsets (particles included)."""
        return [Morph(t.form, t.tag, t.start, t.start + t.len) for t in self.kiwi.tokenize(text)]
