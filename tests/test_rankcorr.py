"""Spearman and Kendall rank correlations, against hand-worked cases and scipy when present."""

from __future__ import annotations

import random

import pytest

from lemonade.rankcorr import kendall, rank_agreement, spearman


def test_perfect_reversed_and_hand_worked() -> None:
    a = [1.0, 2.0, 3.0, 4.0]
    assert spearman(a, [10, 20, 30, 40]) == pytest.approx(1.0)
    assert kendall(a, [4, 3, 2, 1]) == pytest.approx(-1.0)
    # one swapped adjacent pair of 4: rho = 1 - 6*2/(4*15) = 0.8; tau = (5-1)/6
    assert spearman(a, [1, 3, 2, 4]) == pytest.approx(0.8)
    assert kendall(a, [1, 3, 2, 4]) == pytest.approx(4 / 6)


def test_too_few_pairs_or_no_spread_is_none() -> None:
    assert spearman([1, 2], [1, 2]) is None and kendall([1, 2], [2, 1]) is None
    assert spearman([1, 1, 1], [1, 2, 3]) is None
    got = rank_agreement([1, None, 3, 4], [1, 5, None, 2])
    assert got["n"] == 2 and got["spearman"] is None


def test_matches_scipy_with_ties() -> None:
    stats = pytest.importorskip("scipy.stats")
    rng = random.Random(3)
    for _ in range(20):
        a = [rng.randint(0, 5) for _ in range(9)]
        b = [x + rng.randint(-3, 3) for x in a]
        if len(set(a)) < 2 or len(set(b)) < 2:
            continue
        assert spearman(a, b) == pytest.approx(stats.spearmanr(a, b).statistic)
        assert kendall(a, b) == pytest.approx(stats.kendalltau(a, b).statistic)
