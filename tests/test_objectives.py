"""CME, feasibility, ranking and the Pareto front, against hand-computed values."""

from __future__ import annotations

import math

import pytest

from lemonade.config import Objective
from lemonade.objectives import (
    cme,
    describe_gap,
    dominates,
    format_value,
    is_feasible,
    pareto_front,
    rank_key,
    ratio,
    ratios,
)

ACC = Objective(metric="val_accuracy", threshold=0.8, priority=3)
PARAMS = Objective(metric="params", threshold=500_000, priority=2)
LAT = Objective(metric="latency_ms", threshold=4.0, priority=1)
FPS = Objective(metric="fps", threshold=100.0, priority=1)


@pytest.mark.parametrize(("obj", "value", "expected"), [
    (ACC, 0.9, math.log2(0.9 / 0.8)),           # 0.16993: max goal, above threshold
    (ACC, 0.8, 0.0),                             # exactly at threshold
    (ACC, 0.6, math.log2(0.6 / 0.8)),            # -0.41504
    (ACC, 0.3, -1.0),                            # log2(0.375) = -1.415, clipped
    (PARAMS, 250_000, 1.0),                      # min goal: half the threshold -> +1
    (PARAMS, 850_000, math.log2(500 / 850)),     # -0.76553
    (PARAMS, 100_000, 1.0),                      # log2(5) = 2.32, clipped
    (PARAMS, 2_000_000, -1.0),                   # log2(0.25) = -2, clipped
    (LAT, 3.0, math.log2(4 / 3)),                # 0.41504
    (FPS, 50.0, -1.0),                           # max goal, half -> -1 exactly
    (FPS, 141.42, math.log2(1.4142)),
])
def test_ratio_table(obj, value, expected):
    assert ratio(obj, value) == pytest.approx(expected, abs=1e-9)


def test_ratio_hand_value():
    # the brief's example, written out: log2(1.125) = 0.169925...
    assert ratio(ACC, 0.9) == pytest.approx(0.169925, abs=1e-6)


@pytest.mark.parametrize("value", [None, 0.0, -3.0, math.nan])
@pytest.mark.parametrize("obj", [ACC, PARAMS])
def test_missing_or_nonpositive_is_worst(obj, value):
    # unmeasured must never count as met, whichever the goal
    assert ratio(obj, value) == -1.0


@pytest.mark.parametrize(("obj", "expected"), [(ACC, 1.0), (PARAMS, -1.0)])
def test_infinite_value(obj, expected):
    assert ratio(obj, math.inf) == expected


def test_ratios_and_cme_weighted_mean():
    metrics = {"val_accuracy": 0.9, "params": 250_000, "latency_ms": 8.0}
    rs = ratios([ACC, PARAMS, LAT], metrics)
    assert rs == pytest.approx({"val_accuracy": 0.169925, "params": 1.0, "latency_ms": -1.0},
                               abs=1e-6)
    # (3 * 0.169925 + 2 * 1 + 1 * -1) / 6 = 0.251629
    assert cme([ACC, PARAMS, LAT], metrics) == pytest.approx(0.251629, abs=1e-6)
    assert not is_feasible([ACC, PARAMS, LAT], metrics)
    assert is_feasible([ACC, PARAMS], metrics)


def test_missing_metric_counts_as_minus_one_in_cme():
    metrics = {"val_accuracy": 0.8}  # params unmeasured
    # (3 * 0 + 2 * -1) / 5 = -0.4
    assert cme([ACC, PARAMS], metrics) == pytest.approx(-0.4)
    assert not is_feasible([ACC, PARAMS], metrics)


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
