"""bench/lib/ocr_noise.py: deterministic, errors at the requested rates, questions left clean."""
from __future__ import annotations

import tempfile
from pathlib import Path

from bench.lib.evalsets import load_set
from bench.lib.ocr_noise import Rates, corrupt, is_hangul, similar_syllable

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "bench/data/pages").glob("*.txt"))
TEXT = "\n\n".join(p.read_text(encoding="utf-8") for p in PAGES[:10])


def test_same_seed_same_text_other_seed_other_text():
    assert corrupt(TEXT, 2, seed=5) == corrupt(TEXT, 2, seed=5)
    assert corrupt(TEXT, 2, seed=5) != corrupt(TEXT, 2, seed=6)
    assert corrupt(TEXT, Rates(), seed=5) == TEXT  # no rates, no change


def test_dropped_spaces_at_the_rate():
    spaces = TEXT.count(" ")
    out = corrupt(TEXT, Rates(drop_space=0.2), seed=1)
    assert abs(1 - out.count(" ") / spaces - 0.2) < 0.03
    assert out.replace(" ", "") == TEXT.replace(" ", "")  # nothing else changed


def test_syllables_swapped_at_the_rate_for_look_alikes():
    out = corrupt(TEXT, Rates(syllable=0.05), seed=1)
    assert len(out) == len(TEXT)
    pairs = [(a, b) for a, b in zip(TEXT, out) if is_hangul(a)]
    changed = [(a, b) for a, b in pairs if a != b]
    assert 0.035 < len(changed) / len(pairs) < 0.055  # a few look-alikes have no swap
    assert all(is_hangul(b) for _, b in changed)
    assert all(a == b for a, b in zip(TEXT, out) if not is_hangul(a))


def test_look_alike_syllables():
    import random

    seen = {similar_syllable("어", random.Random(s)) for s in range(50)}
    assert "여" in seen and "어" not in seen
    assert "룰" in {similar_syllable("를", random.Random(s)) for s in range(50)}


def test_ocr_set_keeps_the_questions_clean(monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    clean, noisy = load_set("pages"), load_set("pages-ocr2s3")
    assert [q.text for q in noisy.questions] == [q.text for q in clean.questions]
    assert [q.relevant for q in noisy.questions] == [q.relevant for q in clean.questions]
    assert noisy.corpus.parent.parent == tmp_path  # written under the temp dir, not the repo
    assert (noisy.corpus / "p001.txt").read_text(encoding="utf-8") != (clean.corpus / "p001.txt").read_text(encoding="utf-8")
