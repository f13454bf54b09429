"""The retrieval benchmark (`python -m bench.retrieval`): its metrics, aggregation and set loading
(bench/lib), and a whole run over a tiny BEIR set built here, through the real library."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from bench.lib.evalsets import Question, beir_set, doc_file, load_set, questions_set, read_qrels, unit_of
from bench.lib.metrics import aggregate, question_metrics
from retriever.types import Hit

DOCS = {
    "a1": "파티션 프로젝션은 Athena가 S3 경로 규칙으로 파티션 값을 계산하게 해서 Glue 카탈로그 조회를 줄인다.",
    "b/2": "Redshift 데이터 공유는 클러스터 사이에 데이터를 복사하지 않고 실시간으로 읽게 해 준다.",
    "c3": "EC2 인스턴스가 종료되어도 EBS 볼륨의 DeleteOnTermination 을 끄면 데이터가 남는다.",
    "d4": "Glue FLEX 실행 클래스는 급하지 않은 작업을 여유 용량에서 싸게 돌린다.",
}
QUERIES = {"q1": "Athena 파티션 프로젝션", "q2": "Redshift 클러스터 간 데이터 공유", "q3": "Glue FLEX 실행 클래스",
           "q9": "답이 없는 질문"}


def _hit(source: str, score: float, heading: str = "", page: int | None = None) -> Hit:
    return Hit(rank=1, score=score, source=source, heading=heading, lines=(1, 1), text="", page=page)


def test_question_metrics_by_hand():
    m = question_metrics(["a", "b", "c"], {"b": 1, "d": 1})
    assert m["hit@1"] == 0.0 and m["hit@5"] == 1.0
    assert m["recall@5"] == 0.5 and m["recall@10"] == 0.5
    assert m["mrr@10"] == 0.5
    assert m["ndcg@10"] == pytest.approx((1 / math.log2(3)) / (1 + 1 / math.log2(3)))
    assert question_metrics(["x"], {"b": 1})["ndcg@10"] == 0.0


def test_aggregate_max_and_sum():
    hits = [_hit("a", 0.9), _hit("b", 0.8), _hit("b", 0.7), _hit("c", 0.6), _hit("a", 0.1)]
    unit = lambda h: h.source  # noqa: E731
    assert aggregate(hits, unit, "max") == ["a", "b", "c"]
    assert aggregate(hits, unit, "sum2") == ["b", "a", "c"]  # 1.5 > 1.0 > 0.6
    with pytest.raises(ValueError):
        aggregate(hits, unit, "mean")


def test_units_by_source_page_and_section():
    q = Question("1", "?", {"2. Athena 파티션": 1}, by="section")
    assert unit_of(_hit("n.md", 1, "노트 > 2. Athena 파티션 > 인덱스"), q) == "2. Athena 파티션"
    assert unit_of(_hit("n.md", 1, "노트 > 3. Redshift"), q) == "§노트 > 3. Redshift"
    p = Question("2", "?", {"doc.pdf#3": 1})
    assert unit_of(_hit("doc.pdf", 1, page=3), p) == "doc.pdf#3"


def write_beir(folder: Path, with_header: bool = True) -> Path:
    folder.mkdir(parents=True)
    with open(folder / "corpus.jsonl", "w", encoding="utf-8") as f:
        for i, (doc_id, text) in enumerate(DOCS.items()):
            row = {"_id": doc_id, "text": text, **({"title": "제목"} if i == 0 else {})}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    with open(folder / "queries.jsonl", "w", encoding="utf-8") as f:
        for qid, text in QUERIES.items():
            f.write(json.dumps({"_id": qid, "text": text}, ensure_ascii=False) + "\n")
    rows = ["q1\ta1\t1", "q2\tb/2\t2", "q2\tc3\t0", "q3\td4\t1"]
    (folder / "qrels.tsv").write_text("\n".join((["query-id\tcorpus-id\tscore"] if with_header else []) + rows) + "\n",
                                      encoding="utf-8")
    return folder


def test_beir_folder_becomes_note_files(tmp_path):
    src = write_beir(tmp_path / "mini")
    ev = beir_set(src, work=tmp_path / "work")
    files = sorted(p.name for p in ev.corpus.glob("*.txt"))
    assert files == sorted(doc_file(d) for d in DOCS) and doc_file("b/2") != "b_2.txt"
    assert (ev.corpus / "a1.txt").read_text(encoding="utf-8").startswith("# 제목\n\n파티션")
    assert {q.id: q.relevant for q in ev.questions} == {
        "q1": {"a1.txt": 1}, "q2": {doc_file("b/2"): 2}, "q3": {"d4.txt": 1}}  # score 0 and q9 dropped
    assert ev.notes["questions without an answer"] == 1
    assert read_qrels(src / "qrels.tsv") == read_qrels(write_beir(tmp_path / "nohead", False) / "qrels.tsv")
    (ev.corpus / "stale.txt").write_text("old", encoding="utf-8")
    beir_set(src, work=tmp_path / "work")
    assert not (ev.corpus / "stale.txt").exists()


def test_questions_file_and_fixed_slices(tmp_path):
    qfile = tmp_path / "q.jsonl"
    qfile.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"question": "가?", "source": "a.md"}, {"question": "나?", "section": "1. 개요"},
        {"question": "다?", "page": "p1.txt"}]) + "\n", encoding="utf-8")
    ev = questions_set(tmp_path, qfile)
    assert [(q.by, q.relevant) for q in ev.questions] == [
        ("source", {"a.md": 1}), ("section", {"1. 개요": 1}), ("source", {"p1.txt": 1})]
    assert ev.sample(2, 7).questions == ev.sample(2, 7).questions
    assert len(ev.sample(2, 7).questions) == 2 and ev.sample(None, 7) is ev
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "x"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="bad.jsonl:1"):
        questions_set(tmp_path, bad)
    with pytest.raises(ValueError, match="unknown set"):
        load_set(str(tmp_path / "nothing-here"))
