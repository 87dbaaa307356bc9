"""A candidate's clock follows the budget; a candidate stopped by it keeps what it learned."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tiny_job import TINY_NET, with_limits

from lemonade.budget import (
    CandidateClock,
    candidate_rate,
    clock_for,
    cost_rate,
    expected_seconds,
    run_rate,
    search_clock,
)
from lemonade.config import SandboxConfig, build_config
from lemonade.sandbox.runner import run_candidate, training_job


def test_rate_and_expected_time_scale_with_flops_images_and_epochs() -> None:
    rate = cost_rate(100.0, 10, 1000, 1e6)
    assert rate == pytest.approx(1e-8)
    assert expected_seconds(rate, 2e6, 1000, 10) == pytest.approx(200.0)
    assert expected_seconds(rate, 1e6, 500, 20) == pytest.approx(100.0)
    assert cost_rate(None, 10, 1000, 1e6) is None and cost_rate(100.0, 0, 1000, 1e6) is None
    assert run_rate([None, 3.0, 1.0, 2.0, float("nan")]) == 2.0
    assert run_rate([None]) is None


def test_deadline_follows_the_expected_time_within_floor_and_cap() -> None:
    clock = CandidateClock(cap_s=5000, epochs=10, n_train=1000, rate=1e-8, factor=4,
                           floor_s=300, first_s=3600)
    assert clock.deadline(1e6) == 400.0  # 4 x 100 s
    assert clock.deadline(1e4) == 300.0  # the floor
    assert clock.deadline(1e9) == 5000.0 - 120.0  # the cap, less the grace: an upper bound
    small = CandidateClock(cap_s=20, epochs=10, n_train=1000)
    assert small.grace() == 5.0 and small.deadline(None) == 15.0
    assert clock.deadline(None) == 3600.0  # no FLOPs reported: the generous default
    first = CandidateClock(cap_s=5000, epochs=10, n_train=1000)
    assert first.deadline(1e6) == 3600.0  # nothing measured yet


def test_verdict_stops_at_the_deadline_and_on_a_hang_only() -> None:
    clock = CandidateClock(cap_s=5000, epochs=10, n_train=1000, rate=1e-8, factor=4,
                           floor_s=300, hang_factor=5, hang_floor_s=30)
    steady = [10.0 * k for k in range(1, 8)]  # an epoch every 10 s
    assert clock.verdict(75.0, 1e6, steady) is None
    assert "no progress" in (clock.verdict(70.0 + 51.0, 1e6, steady) or "")
    assert clock.verdict(70.0 + 49.0, 1e6, steady) is None
    assert "time budget" in (clock.verdict(400.0, 1e6, [10.0 * k for k in range(1, 10)]) or "")
    done = [10.0 * k for k in range(1, 11)]  # all epochs done: exporting is no hang
    assert clock.verdict(200.0, 1e6, done) is None
    assert clock.verdict(100.0, None, []) is None  # nothing known yet: only the default


def test_the_search_wall_clock_stops_a_candidate_after_an_epoch_only() -> None:
    clock = CandidateClock(cap_s=5000, epochs=10, n_train=1000, search_left_s=60.0)
    assert clock.verdict(59.0, None, [20.0, 40.0]) is None
    why = clock.verdict(61.0, None, [20.0, 40.0]) or ""
    assert "budget.max_seconds" in why and "after 2 of 10 epochs" in why
    assert clock.verdict(61.0, None, []) is None  # nothing to keep yet: it reaches an epoch
    assert CandidateClock(cap_s=5000, epochs=10, n_train=1000).verdict(
        61.0, None, [20.0, 40.0]) is None


def test_clock_for_reads_the_stored_metrics() -> None:
    metrics = {"train_seconds": {"value": 100.0, "method": {"epochs_run": 10}},
               "flops": {"value": 1e6}}
    values = {"train_seconds": 100.0, "flops": 1e6}
    assert candidate_rate(values, metrics, 1000) == pytest.approx(1e-8)
    assert candidate_rate(values, {"train_seconds": {"value": 100.0}}, 1000) is None
    clock = clock_for([(values, metrics)], cap_s=7200, epochs=5, n_train=1000)
    assert clock.rate == pytest.approx(1e-8) and clock.epochs == 5


@pytest.mark.slow
def test_a_candidate_stopped_by_its_clock_is_measured_at_the_epochs_it_reached(
        tmp_path: Path) -> None:
    cfg = build_config({
        "dataset": {"name": "synthetic", "synthetic_shape": [1, 8, 8], "synthetic_size": 400},
        "budget": {"epochs": 100000}, "device": "cpu", "train": {"batch_size": 8},
        "measure": {"energy": False, "inference_energy": False, "latency_repeats": 3,
                    "latency_warmup": 1}})
    events: list[dict[str, Any]] = []
    # no run rate yet: the default deadline; far too short for 100,000 epochs
    clock = CandidateClock(cap_s=600, epochs=100000, n_train=360, first_s=15, grace_s=120)
    job = training_job(with_limits(cfg, SandboxConfig(memory_limit_mb=2048), 600), TINY_NET,
                       workdir=tmp_path / "job", want_weights=True)
    out = run_candidate(job, on_event=events.append, clock=clock)
    assert out.status == "ok", (out.reason, out.log_tail)
    partial = out.info["partial"]
    assert "time budget" in partial["reason"] and partial["epochs"] == 100000
    ran = partial["epochs_run"]
    assert 1 <= ran < 100000
    assert out.metrics["val_accuracy"].value is not None  # measured by the trusted process
    assert out.metrics["val_accuracy"].method["epochs_run"] == ran
    cost = next(e for e in events if e["event"] == "cost")
    assert cost["params"] == out.metrics["params"].value and cost["flops"] > 0


def test_a_failing_final_training_is_reported_not_raised(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import lemonade.finalize as F

    seen: dict[str, Any] = {}

    def boom(run_dir: Any, **kw: Any) -> None:
        seen.update(kw)
        raise RuntimeError("the raylet did not start")

    monkeypatch.setattr(F, "finalize_run", boom)
    messages: list[str] = []
    F.finalize_after_search(tmp_path, 3, messages.append)
    assert seen["workers"] == 1 and seen["epochs"] == 3  # one training: no Ray runtime for it
    assert messages[0] == "final training: 3 epochs on train+val"
    assert "final training failed: RuntimeError: the raylet did not start" in messages[-1]
    assert "lemonade finalize" in messages[-1]


def test_a_search_candidates_clock_has_the_run_rate_prescreen_time_left_and_front() -> None:
    from lemonade.candidate import Candidate, Status
    from lemonade.config import Objective

    objs = [Objective(metric="val_accuracy", threshold=0.7),
            Objective(metric="params", threshold=300_000)]
    hist = [{"train_accuracy": 0.5}, {"train_accuracy": 0.6}]
    ok = [Candidate(id=1, iteration=0, status=Status.OK, history=hist, metrics={
        "val_accuracy": {"value": 0.6}, "params": {"value": 1000.0}, "flops": {"value": 1e6},
        "train_seconds": {"value": 10.0, "method": {"epochs_run": 2}}})]
    b = build_config({"budget": {"epochs": 2}}).budget
    clock = search_clock(ok, objs, b, 2, 100, -5.0)
    assert clock.rate == cost_rate(10.0, 2, 100, 1e6) and clock.search_left_s == 0.0
    assert clock.cap_s == b.candidate_timeout_s and clock.front == ()
    assert dict((k, lim) for k, _t, lim in clock.prescreen_limits)["params"] == 900_000
    pruned = search_clock(ok, objs, b.model_copy(update={"prune": True}), 2, 100, 50.0)
    assert [m.id for m in pruned.front] == [1] and pruned.search_left_s == 50.0
