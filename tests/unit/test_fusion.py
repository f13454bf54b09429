"""The hybrid fusion rule (issue 12): z-scores over the candidates, keyword weight from the
keyword side's lead. Pure numpy; no index, no model."""
import numpy as np
import pytest

from retriever.search import FusionConfig, fuse


def test_weight_is_the_base_when_the_keyword_side_ties():
    f = FusionConfig(keyword_weight=0.25, max_keyword_weight=0.95)
    assert f.weight(np.array([3.0, 3.0, 1.0, 0.0])) == pytest.approx(0.25)


def test_weight_rises_with_the_keyword_lead():
    f = FusionConfig(keyword_weight=0.25, max_keyword_weight=0.95)
    # best 4, second 1: lead 0.75 → 0.25 + 0.7 * 0.75
    assert f.weight(np.array([1.0, 4.0, 0.0])) == pytest.approx(0.25 + 0.7 * 0.75)
    # only one chunk holds a query term: the keyword side decides (at the cap)
    assert f.weight(np.array([0.0, 2.5, 0.0])) == pytest.approx(0.95)


def test_fixed_weight_when_not_adaptive():
    f = FusionConfig(keyword_weight=0.5, adaptive=False)
    assert f.weight(np.array([0.0, 9.0])) == 0.5


def test_a_clear_keyword_winner_beats_the_dense_favourite():
    kw = np.array([8.0, 1.0, 0.9, 0.0])  # chunk 0 holds the rare term
    dense = np.array([0.80, 0.83, 0.82, 0.84])  # meaning prefers chunk 3, by a hair
    assert int(np.argmax(fuse(kw, dense, FusionConfig()))) == 0


def test_a_flat_keyword_side_leaves_the_order_to_meaning():
    kw = np.array([2.0, 2.0, 1.9, 1.9])  # every chunk matches about as well
    dense = np.array([0.70, 0.72, 0.71, 0.90])
    assert int(np.argmax(fuse(kw, dense, FusionConfig()))) == 3


def test_no_keyword_match_means_dense_order():
    dense = np.array([0.3, 0.9, 0.5])
    out = fuse(np.zeros(3), dense, FusionConfig())
    assert list(np.argsort(-out)) == [1, 2, 0]


def test_constant_side_does_not_divide_by_zero():
    out = fuse(np.array([1.0, 1.0]), np.array([0.5, 0.5]), FusionConfig())
    assert np.isfinite(out).all()
