"""CME, feasibility, ranking and the Pareto front, against hand-computed values."""

from __future__ import annotations

import itertools
import math

import pytest

from lemonade.config import Objective, preset_objectives
from lemonade.objectives import (
    bounded,
    cme,
    describe_gap,
    dominates,
    format_value,
    is_feasible,
    pareto_front,
    rank_key,
    ratio,
    ratios,
    raw_ratio,
)

ACC = Objective(metric="val_accuracy", threshold=0.8, priority=3)
PARAMS = Objective(metric="params", threshold=500_000, priority=2)
LAT = Objective(metric="latency_ms", threshold=4.0, priority=1)
FPS = Objective(metric="fps", threshold=100.0, priority=1)


@pytest.mark.parametrize(("obj", "value", "expected"), [
    (ACC, 0.9, 0.5),                             # errors 0.2 -> 0.1: twice as good
    (ACC, 0.8, 0.0),                             # exactly at threshold
    (ACC, 0.6, -0.5),                            # errors 0.2 -> 0.4: half as good
    (ACC, 0.3, 0.2 / 0.7 - 1),                   # -0.71429
    (ACC, 0.0, 0.2 - 1),                         # a measured 0 accuracy is not "unmeasured"
    (PARAMS, 250_000, 0.5),                      # min goal: half the threshold
    (PARAMS, 850_000, 500 / 850 - 1),            # -0.41176
    (PARAMS, 100_000, 0.8),                      # 5x under: 1 - 1/5
    (PARAMS, 2_000_000, -0.75),                  # 4x over: 1/4 - 1
    (LAT, 3.0, 0.25),                            # 1 - 3/4
    (FPS, 50.0, -0.5),                           # max goal, half
    (FPS, 141.42, 1 - 100 / 141.42),             # 0.29289
])
def test_ratio_table(obj, value, expected):
    assert ratio(obj, value) == pytest.approx(expected, abs=1e-9)


def test_ratio_hand_value():
    # accuracy 0.95 at a 0.85 threshold: errors 0.15 -> 0.05, a factor 3, r = 1 - 1/3
    acc = Objective(metric="val_accuracy", threshold=0.85)
    assert ratio(acc, 0.95) == pytest.approx(0.666667, abs=1e-6)
    assert raw_ratio(acc, 0.95) == pytest.approx(math.log2(3), abs=1e-9)


@pytest.mark.parametrize(("obj", "value"), [
    (ACC, None), (ACC, math.nan), (ACC, -0.1), (ACC, 1.5),
    (PARAMS, None), (PARAMS, math.nan), (PARAMS, 0.0), (PARAMS, -3.0),
])
def test_missing_or_impossible_is_worst(obj, value):
    # unmeasured must never count as met, whichever the goal
    assert ratio(obj, value) == -1.0


@pytest.mark.parametrize(("obj", "expected"), [(FPS, 1.0), (PARAMS, -1.0)])
def test_infinite_value(obj, expected):
    assert ratio(obj, math.inf) == expected


def test_perfect_accuracy_is_finite_and_below_the_bound():
    assert 0.99 < ratio(ACC, 1.0) < 1.0
    top = Objective(metric="val_accuracy", threshold=1.0)
    assert ratio(top, 1.0) == 0.0  # a threshold of 1.0 is met only by a perfect score
    assert ratio(top, 0.999) < -0.99


def test_accuracy_keeps_paying_at_high_accuracy():
    # The old log2(value / threshold) with a [-1, 1] clip gave 0.97 and 0.99 the same score at a
    # 0.85 threshold; on the error rate 0.97 -> 0.99 is a 3x cut in errors and is rewarded.
    acc = Objective(metric="val_accuracy", threshold=0.85)
    values = [0.86, 0.90, 0.95, 0.97, 0.99, 0.999]
    scores = [ratio(acc, v) for v in values]
    assert all(a < b for a, b in itertools.pairwise(scores))
    assert ratio(acc, 0.99) - ratio(acc, 0.97) == pytest.approx(0.8 / 0.06 * 0.01, abs=1e-9)
    assert all(-1.0 < r < 1.0 for r in scores)


@pytest.mark.parametrize("obj", [ACC, PARAMS, LAT, FPS])
def test_score_strictly_monotone_and_bounded(obj):
    lo, hi = (0.01, 0.999) if obj is ACC else (obj.threshold / 50, obj.threshold * 50)
    grid = [lo + (hi - lo) * i / 200 for i in range(201)]
    scores = [ratio(obj, v) for v in grid]
    diffs = [b - a for a, b in itertools.pairwise(scores)]
    sign = 1 if obj.goal == "max" else -1
    assert all(d * sign > 0 for d in diffs)
    assert all(-1.0 < r < 1.0 for r in scores)


@pytest.mark.parametrize("x", [0.0, 0.3, 1.0, 2.0, 7.5])
def test_bounded_is_odd_and_halves_the_gap_per_doubling(x):
    assert bounded(-x) == pytest.approx(-bounded(x))
    assert 1 - bounded(x + 1) == pytest.approx((1 - bounded(x)) / 2)


def test_ratios_and_cme_weighted_mean():
    metrics = {"val_accuracy": 0.9, "params": 250_000, "latency_ms": 8.0}
    rs = ratios([ACC, PARAMS, LAT], metrics)
    assert rs == pytest.approx({"val_accuracy": 0.5, "params": 0.5, "latency_ms": -0.5})
    # (3 * 0.5 + 2 * 0.5 + 1 * -0.5) / 6 = 1/3
    assert cme([ACC, PARAMS, LAT], metrics) == pytest.approx(1 / 3)
    assert not is_feasible([ACC, PARAMS, LAT], metrics)
    assert is_feasible([ACC, PARAMS], metrics)


def test_missing_metric_counts_as_minus_one_in_cme():
    metrics = {"val_accuracy": 0.8}  # params unmeasured
    # (3 * 0 + 2 * -1) / 5 = -0.4
    assert cme([ACC, PARAMS], metrics) == pytest.approx(-0.4)
    assert not is_feasible([ACC, PARAMS], metrics)


def _old_cme(objs, metrics):
    """The previous formula: log2(value / threshold), clipped to [-1, 1]; kept to show the fix."""
    total = 0.0
    for o in objs:
        r = math.log2(metrics[o.metric] / o.threshold)
        total += o.priority * max(-1.0, min(1.0, r if o.goal == "max" else -r))
    return total / sum(o.priority for o in objs)


# (preset, dataset, better, worse, CME of better, CME of worse), hand-computed. accuracy-first on
# cifar10: val_accuracy >= 0.85 (priority 5), params <= 2M (1), latency_ms <= 20 (1).
RANK_TABLE = [
    # 0.95: errors 0.15/0.05 = 3x -> 2/3; 1.9M -> 1 - 0.95; 19 ms -> 1 - 0.95
    # 0.90: errors 1.5x -> 1/3; 1M and 10 ms both 2x -> 0.5 each
    ("accuracy-first", "cifar10",
     {"val_accuracy": 0.95, "params": 1_900_000, "latency_ms": 19.0},
     {"val_accuracy": 0.90, "params": 1_000_000, "latency_ms": 10.0},
     (5 * 2 / 3 + 0.05 + 0.05) / 7, (5 / 3 + 0.5 + 0.5) / 7),
    # 0.99 vs 0.97 at the same cost: (5 * (1 - 0.01/0.15) + 2 * 0.5) / 7 vs (5 * 0.8 + 1) / 7
    ("accuracy-first", "cifar10",
     {"val_accuracy": 0.99, "params": 1_000_000, "latency_ms": 10.0},
     {"val_accuracy": 0.97, "params": 1_000_000, "latency_ms": 10.0},
     (5 * (1 - 0.01 / 0.15) + 1) / 7, (5 * 0.8 + 1) / 7),
]


@pytest.mark.parametrize(("preset", "dataset", "better", "worse", "cme_b", "cme_w"), RANK_TABLE)
def test_preset_rank_table(preset, dataset, better, worse, cme_b, cme_w):
    objs = preset_objectives(preset, dataset)
    assert cme(objs, better) == pytest.approx(cme_b, abs=1e-9)
    assert cme(objs, worse) == pytest.approx(cme_w, abs=1e-9)
    assert is_feasible(objs, better) and is_feasible(objs, worse)
    assert sorted([worse, better], key=lambda m: rank_key(objs, m)) == [better, worse]


def test_old_formula_ranked_the_required_case_the_wrong_way():
    # why the formula changed: under the clipped log2(value / threshold), 0.90 / 1M / 10 ms
    # outranked 0.95 / 1.9M / 19 ms under accuracy-first on cifar10
    objs = preset_objectives("accuracy-first", "cifar10")
    better, worse = RANK_TABLE[0][2], RANK_TABLE[0][3]
    assert _old_cme(objs, better) < _old_cme(objs, worse)
    assert cme(objs, better) > cme(objs, worse)


def test_no_objectives():
    assert cme([], {"params": 1.0}) == 0.0
    assert is_feasible([], {})


def test_rank_key_feasible_before_higher_cme():
    objs = [ACC, PARAMS]
    feasible_low = {"val_accuracy": 0.81, "params": 490_000}       # CME ~0.01, feasible
    infeasible_high = {"val_accuracy": 0.99, "params": 510_000}    # CME ~0.17, infeasible
    assert cme(objs, infeasible_high) > cme(objs, feasible_low)
    order = sorted([infeasible_high, feasible_low], key=lambda m: rank_key(objs, m))
    assert order == [feasible_low, infeasible_high]


def test_rank_key_cme_then_params():
    objs = [ACC]
    a = {"val_accuracy": 0.9, "params": 300}
    b = {"val_accuracy": 0.95, "params": 900}
    c = {"val_accuracy": 0.9, "params": 100}
    d = {"val_accuracy": 0.9}  # params unknown: last among equals
    order = sorted([a, b, c, d], key=lambda m: rank_key(objs, m))
    assert order == [b, c, a, d]


# (val_accuracy max, params min)
POINTS = [
    {"val_accuracy": 0.90, "params": 400_000},  # 0: front
    {"val_accuracy": 0.85, "params": 100_000},  # 1: front
    {"val_accuracy": 0.80, "params": 200_000},  # 2: dominated by 1
    {"val_accuracy": 0.95, "params": 900_000},  # 3: front
    {"val_accuracy": 0.90, "params": 500_000},  # 4: dominated by 0 (equal acc, more params)
    {"params": 10},                             # 5: missing accuracy, ignored
    {"val_accuracy": 0.85, "params": 100_000},  # 6: equal to 1, kept too
]


def test_pareto_front_hand_made():
    assert pareto_front(POINTS, [ACC, PARAMS]) == [0, 1, 3, 6]


def test_pareto_single_objective_is_the_best():
    assert pareto_front(POINTS, [ACC]) == [3]
    assert pareto_front(POINTS, [PARAMS]) == [5]


def test_pareto_respects_goal():
    maxi = Objective(metric="params", goal="max", threshold=1.0)
    assert pareto_front(POINTS, [maxi]) == [3]


def test_dominates_needs_strict_improvement():
    a = {"val_accuracy": 0.9, "params": 10.0}
    assert not dominates(a, dict(a), [ACC, PARAMS])
    assert dominates(a, {"val_accuracy": 0.9, "params": 11.0}, [ACC, PARAMS])


@pytest.mark.parametrize(("obj", "value", "text"), [
    (PARAMS, 850_000, "1.7x over threshold"),
    (PARAMS, 250_000, "2.0x under threshold"),
    (ACC, 0.76, "0.040 under threshold"),
    (ACC, 0.85, "0.050 over threshold"),
    (FPS, 50.0, "2.0x under threshold"),
    (PARAMS, None, "unmeasured"),
    (PARAMS, 50_000_000, "100x over threshold"),
])
def test_describe_gap(obj, value, text):
    assert describe_gap(obj, value) == text


@pytest.mark.parametrize(("metric", "value", "text"), [
    ("params", 850000.0, "850,000"),
    ("val_accuracy", 0.91234, "0.912"),
    ("latency_ms", 3.14159, "3.14"),
    ("train_energy_kwh", 0.000123, "0.000123"),
    ("params", None, "unmeasured"),
])
def test_format_value(metric, value, text):
    assert format_value(metric, value) == text


def test_of_two_infeasible_models_the_smaller_miss_ranks_first() -> None:
    from lemonade.objectives import violation

    objs = [Objective(metric="val_accuracy", threshold=0.70, priority=2),
            Objective(metric="params", threshold=300_000, priority=2)]
    small = {"val_accuracy": 0.6142, "params": 178_510.0}  # far under the params threshold
    close = {"val_accuracy": 0.6476, "params": 282_100.0}  # nearer the accuracy asked for
    assert cme(objs, small) > cme(objs, close)  # CME alone would pick the small model
    assert violation(objs, close) < violation(objs, small)
    assert rank_key(objs, close) < rank_key(objs, small)
    assert violation(objs, {"val_accuracy": 0.8, "params": 1.0}) == 0.0
    feasible = {"val_accuracy": 0.71, "params": 299_000.0}
    assert rank_key(objs, feasible) < rank_key(objs, close)
