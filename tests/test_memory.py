"""Feedback memory: the window, failures, best and Pareto, and a prompt that never grows."""

from __future__ import annotations

import json
import random

import pytest

from lemonade.config import Objective
from lemonade.expert import advise
from lemonade.memory import (
    CHARS_PER_TOKEN,
    FULL_CHARS,
    PROBLEM_CHARS,
    SLIM_CHARS,
    Attempt,
    FeedbackMemory,
    estimate_tokens,
    make_attempt,
)
from lemonade.objectives import pareto_front, rank_key

OBJS = [Objective(metric="val_accuracy", threshold=0.8, priority=3),
        Objective(metric="params", threshold=500_000, priority=2)]


def att(i: int, acc: float | None = None, params: float | None = None, status: str = "ok",
        text: str = "", reason: str = "out of memory at build") -> Attempt:
    metrics = {k: v for k, v in (("val_accuracy", acc), ("params", params)) if v is not None}
    a = make_attempt(OBJS, iteration=i, candidate_id=i, status=status,
                     metrics=metrics if status == "ok" else None, reason=reason)
    if text:
        a.problem = a.modification = text
    return a


def test_window_slides():
    mem = FeedbackMemory(OBJS, window=5)
    for i in range(12):
        mem.record(att(i, 0.5 + i / 100, 400_000))
    assert [a.iteration for a in mem.recent] == [7, 8, 9, 10, 11]
    assert mem.total == 12
    text = mem.render()
    assert "iteration 11 [ok]" in text and "iteration 6 [ok]" not in text


@pytest.mark.parametrize("window", [1, 3, 7])
def test_window_size(window):
    mem = FeedbackMemory(OBJS, window=window)
    for i in range(10):
        mem.record(att(i, 0.7, 400_000))
    assert len(mem.recent) == window


def test_failures_are_recorded_as_signals():
    mem = FeedbackMemory(OBJS, window=5)
    mem.record(att(0, 0.7, 400_000))
    mem.record(att(1, status="failed", reason="out of memory at build"))
    mem.record(att(2, status="timeout", reason="worker timed out after 900 s"))
    assert mem.failures == 2 and mem.total == 3
    assert [a.status for a in mem.recent] == ["ok", "failed", "timeout"]
    assert mem.best is not None and mem.best.iteration == 0  # failures are never best
    text = mem.render()
    assert "iteration 1 [FAILED: failed]" in text
    assert "FAILED (failed): out of memory at build" in text
    assert "FAILED (timeout): worker timed out after 900 s" in text
    assert "(2 failed)" in text


def test_best_feasible_before_higher_cme():
    mem = FeedbackMemory(OBJS)
    mem.record(att(0, 0.99, 510_000))   # high CME, infeasible (params over)
    assert mem.best.iteration == 0
    mem.record(att(1, 0.81, 490_000))   # low CME, feasible: better
    mem.record(att(2, 0.95, 600_000))   # infeasible again
    mem.record(att(3, 0.80, 499_000))   # feasible, lower CME than 1
    assert mem.best.iteration == 1
    mem.record(att(4, 0.90, 300_000))   # feasible and higher CME
    assert mem.best.iteration == 4


def test_best_ignores_failed_even_with_metrics():
    mem = FeedbackMemory(OBJS)
    mem.record(att(0, 0.6, 400_000))
    bad = Attempt(iteration=1, candidate_id=1, problem="p", modification="m", outcome="o",
                  status="crashed", cme=None, metrics={"val_accuracy": 0.99, "params": 10})
    mem.record(bad)
    assert mem.best.iteration == 0 and [p.iteration for p in mem.pareto] == [0]


def test_pareto_hand_made():
    mem = FeedbackMemory(OBJS)
    for i, (acc, params) in enumerate([
        (0.90, 400_000),   # 0: front
        (0.85, 100_000),   # 1: front
        (0.80, 200_000),   # 2: dominated by 1
        (0.95, 900_000),   # 3: front
        (0.90, 500_000),   # 4: dominated by 0
        (0.85, 100_000),   # 5: identical to 1: not added again
        (0.91, 90_000),    # 6: dominates 0 and 1
    ]):
        mem.record(att(i, acc, params))
    assert sorted(p.iteration for p in mem.pareto) == [3, 6]
    mem.record(att(7, None, 1_000))  # no accuracy: ignored by the Pareto set
    assert sorted(p.iteration for p in mem.pareto) == [3, 6]


def test_pareto_and_best_match_batch_computation():
    rng = random.Random(7)
    mem = FeedbackMemory(OBJS)
    points = []
    for i in range(200):
        m = {"val_accuracy": round(rng.uniform(0.3, 0.99), 3),
             "params": float(rng.randrange(10_000, 2_000_000, 1000))}
        points.append(m)
        mem.record(att(i, m["val_accuracy"], m["params"]))
    front = pareto_front(points, OBJS)
    # equal points are kept once (the first) by the memory, all by pareto_front
    first_of_equal = {tuple(points[i].values()): i for i in reversed(front)}
    assert sorted(p.iteration for p in mem.pareto) == sorted(first_of_equal.values())
    best = min(range(200), key=lambda i: (rank_key(OBJS, points[i]), i))
    assert mem.best.iteration == best


def test_slim_copies_keep_little_text():
    mem = FeedbackMemory(OBJS)
    mem.record(att(0, 0.9, 100_000, text="x" * 10_000))
    assert len(mem.best.problem) <= SLIM_CHARS and len(mem.pareto[0].modification) <= SLIM_CHARS
    assert set(mem.best.metrics) <= {"val_accuracy", "params"}


# Sizes wobble with content (iteration numbers gaining a digit, "12x" vs "2.0x", which Pareto
# members are listed), never with the run length.
GROWTH_SLACK = 150


def _long_run(mem: FeedbackMemory, n: int) -> list[int]:
    rng = random.Random(0)
    sizes = []
    for i in range(n):
        status = "ok" if i % 5 else "failed"
        long = f"iteration {i} problem " + " ".join(
            rng.choice(["underfitting", "params", "latency", "overfitting", "shape"])
            for _ in range(400))
        mem.record(att(i, rng.uniform(0.5, 0.95), rng.uniform(5e4, 2e6), status=status,
                       text=long, reason="CUDA out of memory. " * 100))
        sizes.append(len(mem.render()))
    return sizes


@pytest.mark.parametrize("budget", [50, 200, 600, 1200])
def test_render_bounded_over_long_run(budget):
    mem = FeedbackMemory(OBJS, window=5, token_budget=budget)
    sizes = _long_run(mem, 120)
    assert max(sizes) <= budget * CHARS_PER_TOKEN
    assert estimate_tokens(mem.render()) <= budget
    # no growth: once the window is full the size sits at the budget; an unbounded memory would
    # add ~2 kB per iteration here
    assert max(sizes[60:]) <= max(sizes[5:60]) + GROWTH_SLACK
    text = mem.render()
    assert f"Best so far: iteration {mem.best.iteration}" in text
    if budget >= 200:  # the config's minimum; below it the text is hard-cut from the end
        assert "iteration 119 [" in text  # the newest entry survives the shortening


def test_render_without_budget_pressure_is_bounded_by_window():
    mem = FeedbackMemory(OBJS, window=3, token_budget=100_000)
    sizes = _long_run(mem, 100)
    # fields are capped, so entries of 10 kB text still render to a few kB
    assert max(sizes) < 3 * (PROBLEM_CHARS + 3 * FULL_CHARS) + 1000
    assert max(sizes[50:]) <= max(sizes[5:50]) + GROWTH_SLACK
    assert all(len(a.problem) <= PROBLEM_CHARS for a in mem.recent)


def test_render_never_cuts_a_diagnosis():
    # a budget that forces shortening: outcomes and changes give way, diagnoses stay whole
    mem = FeedbackMemory(OBJS, window=4, token_budget=700)
    diagnoses = []
    for i in range(4):
        d = (f"underfitting #{i}: " + "train accuracy within 0.05 of val accuracy, "
             "so the network lacks capacity; " * 3).strip()
        diagnoses.append(d)
        mem.record(make_attempt(OBJS, iteration=i, candidate_id=i, status="ok",
                                metrics={"val_accuracy": 0.7 + i / 100, "params": 400_000},
                                problem=d, modification="widen every conv by 50% " * 8,
                                parent_metrics={"val_accuracy": 0.7, "params": 500_000}))
    text = mem.render()
    assert estimate_tokens(text) <= 700
    shown = [d for d in diagnoses if d in text]
    assert shown and diagnoses[-1] in shown  # the newest whole; any older one shown is whole
    assert all(f"underfitting #{i}:" not in text or diagnoses[i] in text for i in range(4))


def test_outcome_shows_validation_change_from_parent_and_no_test_metric():
    a = make_attempt(OBJS, iteration=2, candidate_id=2, status="ok",
                     metrics={"val_accuracy": 0.85, "params": 400_000, "test_accuracy": 0.8123},
                     problem="p", modification="m",
                     parent_metrics={"val_accuracy": 0.80, "params": 500_000,
                                     "test_accuracy": 0.7999})
    assert "+0.050 vs parent" in a.outcome and "-20% vs parent" in a.outcome
    assert "test_accuracy" not in a.metrics
    mem = FeedbackMemory(OBJS)
    mem.record(a)
    text = mem.render()
    assert "test_accuracy" not in text and "0.812" not in text and "0.800 " not in text
    assert a.problem == "p" and a.modification == "m"


def test_render_contents_small_run():
    mem = FeedbackMemory(OBJS, window=5)
    advice = advise(OBJS, {"val_accuracy": 0.7, "train_accuracy": 0.71, "params": 850_000})
    mem.record(make_attempt(OBJS, iteration=3, candidate_id=3, status="ok",
                            metrics={"val_accuracy": 0.82, "params": 450_000}, advice=advice))
    text = mem.render()
    assert "Best so far: iteration 3 (candidate 3), feasible" in text
    assert "add_conv_layers 33%, add_kernels 33%" in text  # the modification that was asked
    assert "underfitting" in text  # the problem diagnosed
    assert "val_accuracy 0.820 (met, 0.020 over threshold" in text  # the outcome
    assert "Pareto set (1 non-dominated" in text


def test_empty_memory_renders():
    text = FeedbackMemory(OBJS).render()
    assert "0 attempts" in text and "none yet" in text


def test_make_attempt_fields():
    a = make_attempt(OBJS, iteration=1, candidate_id="c1", status="ok",
                     metrics={"val_accuracy": 0.9, "params": 250_000})
    from lemonade.objectives import cme as cme_of  # the score itself is objectives' business

    expected = cme_of(OBJS, {"val_accuracy": 0.9, "params": 250_000})
    assert a.cme == pytest.approx(expected)
    assert a.summary == f"CME {expected:+.3f}, feasible"
    assert a.problem == "first attempt" and a.modification == "none"
    assert a.outcome.startswith("ok: val_accuracy 0.900")
    f = make_attempt(OBJS, iteration=2, candidate_id=2, status="timeout", metrics=None,
                     reason="worker timed out")
    assert f.cme is None and f.failed and f.outcome == "FAILED (timeout): worker timed out"


def test_make_attempt_accepts_advice_json():
    advice = advise(OBJS, {"val_accuracy": 0.7, "params": 850_000})
    live = make_attempt(OBJS, iteration=1, candidate_id=1, status="ok",
                        metrics={"val_accuracy": 0.75}, advice=advice)
    stored = make_attempt(OBJS, iteration=1, candidate_id=1, status="ok",
                          metrics={"val_accuracy": 0.75},
                          advice=json.loads(json.dumps(advice.to_json())))
    assert live == stored
    assert "objectives:" not in live.problem


def test_from_attempts_rebuilds_same_state():
    live = FeedbackMemory(OBJS, window=4, token_budget=400)
    rows = []
    for i in range(30):
        a = att(i, 0.5 + (i * 7 % 40) / 100, 100_000 + (i * 13 % 20) * 50_000,
                status="ok" if i % 6 else "failed")
        live.record(a)
        rows.append(json.loads(json.dumps(a.to_json())))
    back = FeedbackMemory.from_attempts(OBJS, [Attempt.from_json(r) for r in rows],
                                        window=4, token_budget=400)
    assert back.render() == live.render()
    assert back.best == live.best and back.pareto == live.pareto


@pytest.mark.parametrize(("window", "budget"), [(0, 1200), (5, 10)])
def test_bad_settings(window, budget):
    with pytest.raises(ValueError):
        FeedbackMemory(OBJS, window=window, token_budget=budget)
