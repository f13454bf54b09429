"""The corpus calibration of hybrid fusion (issue 21): probes made from the notes themselves,
the range chosen on them, stored in the index manifest, reused on restart and after a small
edit, measured again after a large change; and every search saying which weights it used."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from retriever import FusionConfig, NotesLibrary, load_index
from retriever.calibration import (DEFICIT_HIGH, DEFICIT_LOW, MIN_CHUNKS, WEAK_DENSE_WEIGHT, Calibration,
                                   ProbeScores, choose, make_probes, needs_recalibration, range_for, unit_of)
from retriever.store import current_generation, read_manifest
from studyapp.settings import Settings

EXTRA = ("# 네트워크\n\n## 라우팅\n\nOSPF 는 링크 상태 라우팅 프로토콜로, 영역마다 최단 경로 트리를 계산한다. "
         "BGP 는 자율 시스템 사이의 경로 벡터 프로토콜이다.\n\n## 스위칭\n\nVLAN 은 하나의 스위치를 여러 "
         "브로드캐스트 도메인으로 나눈다. 트렁크 포트는 여러 VLAN 의 프레임을 태그로 구분해 나른다.\n")


@pytest.fixture
def seed_copy(seed_corpus, seed_index_dir, tmp_path):
    corpus = tmp_path / "notes"
    shutil.copytree(seed_corpus, corpus)
    shutil.copytree(seed_index_dir, tmp_path / "index")
    return corpus, tmp_path / "index"


def _entry(index_dir):
    return read_manifest(index_dir)["calibration"]


def test_the_seed_index_stores_its_calibration(seed_index_dir, seed_library):
    entry = _entry(seed_index_dir)
    chunks = seed_library.searcher.index.chunks
    assert len(chunks) >= MIN_CHUNKS
    assert entry["probes"] >= 30 and entry["chunks"] == len(chunks)
    assert entry["chunk_ids"] == [c.id for c in chunks]
    assert entry["keyword_weight"] == range_for(entry["keyword_hit1"] - entry["semantic_hit1"], FusionConfig())[0]
    assert 0 <= entry["keyword_hit1"] <= 1 and 0 <= entry["semantic_hit1"] <= 1
    f = seed_library.searcher.fusion
    assert f.source == "corpus" and (f.keyword_weight, f.max_keyword_weight) == (
        entry["keyword_weight"], entry["max_keyword_weight"])


def test_probes_are_cut_from_the_notes_and_do_not_depend_on_chunk_order(seed_library, tokenizer):
    index = seed_library.searcher.index
    stats = index.term_stats()
    probes = make_probes(index.chunks, tokenizer.spans, tokenizer.split_sentences, stats, 20)
    again = make_probes(list(reversed(index.chunks)), tokenizer.spans, tokenizer.split_sentences, stats, 20)
    assert len(probes) == 20
    assert [(p.text, index.chunks[p.chunk].id) for p in probes] == [
        (p.text, index.chunks[len(index.chunks) - 1 - p.chunk].id) for p in again]
    for p in probes:
        chunk = index.chunks[p.chunk]
        assert p.unit == unit_of(chunk)
        terms, own = set(tokenizer(p.text)), set(tokenizer(chunk.text))
        # a cloze of one of its sentences (cutting a term may leave a stray syllable)
        assert len(terms) >= 3 and len(terms - own) <= 1


def _row(target_kw: bool, target_dense: bool, flat_kw: bool = False) -> ProbeScores:
    units = ["a", "b", "c", "d"]
    kw = np.array([3.0, 2.9, 1.0, 0.5]) if flat_kw else np.array([3.0, 1.0, 0.8, 0.5])
    dense = np.array([0.80, 0.82, 0.60, 0.50])
    target = "a" if target_kw else "b"
    if target_dense != (target == "b"):  # dense's best candidate is "b"; make it the target or not
        dense = np.array([0.82, 0.80, 0.60, 0.50])
    return ProbeScores(units, kw, dense, target)


def test_the_choice_follows_the_side_that_finds_its_own_source():
    base = FusionConfig()
    keyword_wins = [_row(True, False, flat_kw=True)] * 10  # keyword leads a little; dense is wrong
    got = choose(keyword_wins, base)
    assert got["keyword"] == 1.0 and got["semantic"] == 0.0
    assert got["chosen"] == range_for(1.0, base) and got["chosen"][0] == WEAK_DENSE_WEIGHT
    dense_wins = [_row(False, True, flat_kw=True)] * 10
    got = choose(dense_wins, base)
    assert got["semantic"] == 1.0 and got["chosen"] == (base.keyword_weight, base.top)
    assert got["ranges"][got["chosen"]] == 1.0


def test_the_keyword_weight_rises_with_the_dense_deficit():
    base = FusionConfig()
    los = [range_for(d, base)[0] for d in (-0.2, 0.0, DEFICIT_LOW, 0.2, 0.25, DEFICIT_HIGH, 0.6, 1.0)]
    assert los[:3] == [base.keyword_weight] * 3 and los[-3:] == [WEAK_DENSE_WEIGHT] * 3
    assert los == sorted(los) and all(abs(20 * x - round(20 * x)) < 1e-9 for x in los)


def test_ties_keep_the_default_range():
    both = [_row(True, True)] * 6
    assert choose(both, FusionConfig())["chosen"] == (0.25, 0.95)


def test_recalibration_after_a_fifth_of_the_chunks_changed():
    ids = [f"c{i}" for i in range(100)]
    entry = {"version": Calibration.__dataclass_fields__["version"].default, "chunk_ids": ids}
    assert not needs_recalibration(entry, ids)
    assert not needs_recalibration(entry, ids[:90] + [f"n{i}" for i in range(5)])  # 15 of 100 changed
    assert needs_recalibration(entry, ids[:80] + [f"n{i}" for i in range(10)])  # 30 changed
    assert needs_recalibration({**entry, "version": -1}, ids)
    assert needs_recalibration(None, ids)


def test_calibration_is_deterministic(seed_corpus, seed_index_dir, tmp_path, embedder, tokenizer):
    again = NotesLibrary(seed_corpus, tmp_path / "index", embedder, tokenizer)
    again.refresh()
    a, b = _entry(seed_index_dir), _entry(tmp_path / "index")
    assert a["reused"] is False and b["reused"] is False
    drop = {"seconds", "reused"}
    assert {k: v for k, v in a.items() if k not in drop} == {k: v for k, v in b.items() if k not in drop}


def test_reused_on_restart_and_after_a_small_edit_redone_after_a_large_change(seed_copy, embedder, tokenizer):
    corpus, index_dir = seed_copy
    first = _entry(index_dir)
    lib = NotesLibrary(corpus, index_dir, embedder, tokenizer)
    gen = current_generation(index_dir)
    assert lib.open() is None and current_generation(index_dir) == gen  # restart: nothing rebuilt
    assert lib.searcher.fusion.source == "corpus"

    (corpus / "extra.md").write_text(EXTRA, encoding="utf-8")  # a few chunks: under a fifth
    rep = lib.refresh()
    assert rep.changed and rep.calibration["reused"] is True
    assert {k: rep.calibration[k] for k in ("keyword_weight", "max_keyword_weight", "probes")} == {
        k: first[k] for k in ("keyword_weight", "max_keyword_weight", "probes")}
    assert "chunk_ids" not in rep.to_dict()["calibration"] and rep.to_dict()["calibration"]["reused"] is True

    seed = max(corpus.glob("*.md"), key=lambda p: p.stat().st_size)
    for n in range(2):  # the notes twice over, reworded: most chunks are new
        text = seed.read_text(encoding="utf-8").replace("\n", f" ({n})\n")  # every chunk's text differs
        (corpus / f"copy{n}.md").write_text(text, encoding="utf-8")
    rep = lib.refresh()
    assert rep.calibration["reused"] is False
    assert rep.calibration["chunks"] == len(load_index(index_dir).chunks) > first["chunks"]


def test_an_index_without_calibration_is_calibrated_once_reusing_its_vectors(seed_copy, embedder, tokenizer):
    corpus, index_dir = seed_copy
    gen = current_generation(index_dir)
    manifest = read_manifest(index_dir)
    del manifest["calibration"]  # an index written before issue 21
    (gen / "manifest.json").write_text(__import__("json").dumps(manifest), encoding="utf-8")
    lib = NotesLibrary(corpus, index_dir, embedder, tokenizer)
    rep = lib.open()
    assert rep is not None and rep.embedded == 0 and rep.calibration["reused"] is False
    assert lib.searcher.fusion.source == "corpus"
    assert NotesLibrary(corpus, index_dir, embedder, tokenizer).open() is None  # and then it is current


def test_a_corpus_too_small_searches_with_the_defaults(tmp_path, embedder, tokenizer):
    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "n.md").write_text(EXTRA, encoding="utf-8")
    lib = NotesLibrary(corpus, tmp_path / "index", embedder, tokenizer)
    rep = lib.refresh()
    assert "skipped" in rep.calibration
    hits, weights = lib.search_explained("VLAN 트렁크 포트", mode="hybrid")
    assert hits and weights.source == "default" and weights.range == (0.25, 0.95)
    assert 0.25 <= weights.keyword <= 0.95 and abs(weights.keyword + weights.semantic - 1) < 1e-9
    assert lib.search_explained("VLAN", mode="keyword")[1] is None


def test_the_keyword_weight_setting_overrides_the_corpus(seed_corpus, seed_index_dir, embedder, tokenizer):
    fusion = Settings.from_env({"STUDY_KEYWORD_WEIGHT": "0.6"}).fusion
    lib = NotesLibrary(seed_corpus, seed_index_dir, embedder, tokenizer, fusion=fusion)
    lib.open()
    _, weights = lib.search_explained("파티션 프로젝션", mode="hybrid")
    assert weights.source == "setting" and weights.range == (0.6, 0.95)
    assert Settings.from_env({}).fusion.source == "default"
