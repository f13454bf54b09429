"""Kiwi terms kept beside a generation (`retriever.kept_terms`, issue 24: `ask` ≤ 3 s): the same
terms as Kiwi gives, read back instead of recomputed, and never read for other texts."""
from __future__ import annotations

import json

from retriever.kept_terms import PREFIX, kept_terms

TEXTS = ["## 2. Amazon Athena 파티션\n파티션 프로젝션을 쓰면 메타스토어를 거치지 않는다.",
         "EC2 인스턴스 스토어는 삭제되고 EBS 볼륨은 보존된다", "10,000개 파일을 30초 안에"]


class _Counting:
    def __init__(self, tokenizer) -> None:
        self.tokenizer, self.calls = tokenizer, 0

    def tokenize_many(self, texts):
        self.calls += 1
        return self.tokenizer.tokenize_many(texts)


def test_terms_are_kept_read_back_and_redone_for_other_texts(tokenizer, tmp_path):
    tok = _Counting(tokenizer)
    want = tokenizer.tokenize_many(TEXTS)
    assert kept_terms(tmp_path, "sections", TEXTS, tok) == want and tok.calls == 1
    assert (tmp_path / f"{PREFIX}sections.json").is_file()
    assert kept_terms(tmp_path, "sections", TEXTS, tok) == want and tok.calls == 1  # read, not Kiwi
    other = TEXTS[:2] + ["EMR Graviton 인스턴스"]
    assert kept_terms(tmp_path, "sections", other, tok) == tokenizer.tokenize_many(other) and tok.calls == 2
    (tmp_path / f"{PREFIX}sections.json").write_text("{not json", encoding="utf-8")
    assert kept_terms(tmp_path, "sections", TEXTS, tok) == want and tok.calls == 3
    kept = json.loads((tmp_path / f"{PREFIX}sections.json").read_text(encoding="utf-8"))
    kept["terms"][0] = ["다른"]  # same fingerprint, other terms: what is kept is what is read
    (tmp_path / f"{PREFIX}sections.json").write_text(json.dumps(kept), encoding="utf-8")
    assert kept_terms(tmp_path, "sections", TEXTS, tok)[0] == ["다른"] and tok.calls == 3
    assert kept_terms(None, "sections", TEXTS, tok) == want and tok.calls == 4  # no folder: Kiwi


def test_coverage_reads_the_kept_section_terms(seed_library):
    """The library keeps them in its live generation; a second judge of the same generation
    (another process) reads them."""
    from tutor.answers.coverage import CoverageJudge

    terms = CoverageJudge(seed_library)._section_terms()
    path = seed_library.generation / f"{PREFIX}coverage-sections.json"
    assert path.is_file() and terms
    kept = json.loads(path.read_text(encoding="utf-8"))["terms"]
    assert [frozenset(ts) for ts in kept] == list(terms.values())
