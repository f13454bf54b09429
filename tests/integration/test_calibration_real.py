"""The corpus calibration with the real model (issue 21): the seed notes' index carries its
measured range, searches with it, and the seed dev questions keep hit@1 1.000."""
from __future__ import annotations

import json
from pathlib import Path

from retriever import NotesLibrary
from retriever.calibration import VERSION
from retriever.store import read_manifest

DEV = Path(__file__).resolve().parents[2] / "bench" / "data" / "devset.jsonl"


def test_the_seed_index_is_calibrated_and_keeps_every_dev_question_first(seed_library, seed_index_dir):
    entry = read_manifest(seed_index_dir)["calibration"]
    assert entry["probes"] >= 40 and entry["version"] == VERSION and entry["reused"] is False
    assert seed_library.searcher.fusion.source == "corpus"
    dev = [json.loads(x) for x in DEV.read_text(encoding="utf-8").splitlines() if x.strip()]
    missed = [d["question"] for d in dev
              if d["section"] not in seed_library.search(d["question"], mode="hybrid", k=1)[0].heading]
    assert missed == []


def test_the_real_calibration_is_deterministic(seed_corpus, seed_index_copy, seed_index_dir, embedder, tokenizer):
    """Measured again over the same chunks and vectors (an index without its calibration), the
    same range and figures come out."""
    gen = Path(seed_index_copy) / (Path(seed_index_copy) / "CURRENT").read_text().strip()
    manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    first = manifest.pop("calibration")
    (gen / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    rep = NotesLibrary(seed_corpus, seed_index_copy, embedder, tokenizer).open()
    assert rep is not None and rep.embedded == 0
    drop = {"seconds", "reused"}
    assert {k: v for k, v in rep.calibration.items() if k not in drop} == {
        k: v for k, v in first.items() if k not in drop}
