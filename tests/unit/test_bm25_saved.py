"""A saved BM25 index read without bm25s scores exactly as bm25s does (to the bit)."""
from __future__ import annotations

import numpy as np

from retriever.bm25 import BM25Index, SavedScores

DOCS = [["s3", "버킷", "버전", "관리"], ["버전", "관리", "켜기", "콘솔"], ["athena", "워크그룹", "spark"],
        ["glue", "flex", "실행", "클래스", "실행"], ["버킷", "정책", "s3", "s3", "권한"], []]
QUERIES = [["s3", "버전"], ["실행", "실행", "glue"], ["없는말"], ["버킷", "s3", "권한", "정책", "관리"], []]


def test_saved_scores_equal_bm25s_scores(tmp_path):
    import bm25s

    BM25Index.build(DOCS).save(tmp_path)
    ours = BM25Index.load(tmp_path, len(DOCS))
    assert isinstance(ours._model, SavedScores)
    theirs = bm25s.BM25.load(str(tmp_path), mmap=False, allow_pickle=False)
    for q in QUERIES:
        got = ours.scores(q)
        ids = theirs.get_tokens_ids(q)
        want = theirs.get_scores_from_ids(ids) if ids else np.zeros(len(DOCS), dtype=np.float32)
        assert got.dtype == np.float32 and got.tobytes() == np.asarray(want, dtype=np.float32).tobytes(), q
    assert ours.scores(["s3"]).argmax() == 4  # the doc that says it twice, not merely anything


def test_an_empty_index_scores_nothing(tmp_path):
    assert BM25Index.load(tmp_path, 0).scores(["s3"]).shape == (0,)
