"""Item analysis (pure): facility, the corrected point-biserial discrimination against a direct
computation with numpy's own correlation, and the flags of Moodle's rule of thumb."""
from __future__ import annotations

import random

import numpy as np
import pytest

from learning.item_stats import flags_for, item_statistics


def _reference(users, items, right, min_answers):
    """Pearson's r computed item by item the slow way (np.corrcoef), the item left out of the rest."""
    by_user: dict[str, dict[str, int]] = {}
    for u, i, x in zip(users, items, right):
        by_user.setdefault(u, {})[i] = int(x)
    out = {}
    for item in sorted(set(items)):
        xs, ys, n = [], [], 0
        for u, answers in by_user.items():
            if item not in answers:
                continue
            n += 1
            others = [v for k, v in answers.items() if k != item]
            if others:
                xs.append(answers[item])
                ys.append(sum(others) / len(others))
        if n < min_answers:
            continue
        facility = sum(by_user[u][item] for u in by_user if item in by_user[u]) / n
        r = None
        if len(xs) >= 2 and np.std(xs) > 0 and np.std(ys) > 0:
            r = float(np.corrcoef(xs, ys)[0, 1])
        out[item] = (n, facility, r)
    return out


def test_statistics_match_a_direct_computation_on_random_answers():
    rng = random.Random(7)
    ability = {f"u{k}": rng.random() for k in range(60)}
    users, items, right = [], [], []
    for u, a in ability.items():
        for k in rng.sample(range(25), rng.randint(1, 20)):
            users.append(u)
            items.append(f"item-{k:02d}")
            right.append(rng.random() < 0.2 + 0.6 * a * (k % 5 != 0) + 0.1 * (k % 5 == 0))
    got = {s.item_id: s for s in item_statistics(users, items, right, min_answers=10)}
    want = _reference(users, items, right, 10)
    assert set(got) == set(want) and len(got) > 10
    for item, (n, facility, r) in want.items():
        s = got[item]
        assert s.answers == n and s.facility == pytest.approx(facility)
        assert (s.discrimination is None) == (r is None)
        if r is not None:
            assert s.discrimination == pytest.approx(r, abs=1e-9)


def test_a_good_item_discriminates_and_a_miskeyed_one_is_flagged():
    users, items, right = [], [], []
    for k in range(20):  # learner k gets k + 1 of the 19 filler items right
        u = f"u{k:02d}"
        for j in range(19):
            users.append(u)
            items.append(f"filler-{j}")
            right.append(j <= k)
        users += [u, u]
        items += ["good", "miskeyed"]
        right += [k >= 10, k < 10]  # the strong half right / the weak half "right"
    stats = {s.item_id: s for s in item_statistics(users, items, right)}
    assert stats["good"].facility == 0.5 and stats["good"].discrimination > 0.8 and stats["good"].flags == ()
    assert stats["miskeyed"].discrimination < -0.8 and stats["miskeyed"].flags == ("low_discrimination",)
    assert stats["filler-0"].flags[0] == "too_easy" and "too_hard" in stats["filler-18"].flags


def test_fewer_than_ten_answers_are_not_analysed_and_no_variance_is_undefined():
    users = [f"u{k}" for k in range(9)] * 2
    items = ["a"] * 9 + ["b"] * 9
    assert item_statistics(users, items, [True] * 18) == []
    stats = item_statistics(users, items, [True] * 18, min_answers=9)
    assert [s.discrimination for s in stats] == [None, None]  # everyone right: r is undefined
    assert [s.flags for s in stats] == [("too_easy",), ("too_easy",)]
    assert item_statistics([], [], []) == []


@pytest.mark.parametrize("facility, disc, flags", [
    (0.96, 0.5, ("too_easy",)), (0.95, 0.5, ()), (0.19, 0.5, ("too_hard",)), (0.2, 0.5, ()),
    (0.5, 0.14, ("low_discrimination",)), (0.5, 0.15, ()), (0.5, None, ()),
    (0.1, -0.3, ("too_hard", "low_discrimination")),
])
def test_flags_follow_the_rule_of_thumb(facility, disc, flags):
    assert flags_for(facility, disc) == flags
