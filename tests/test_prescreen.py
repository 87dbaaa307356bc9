"""Cheap metrics first: a model far over a cost threshold goes back before training."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tiny_job import TINY_NET, with_limits

from lemonade.budget import clock_for
from lemonade.config import Objective, SandboxConfig, build_config
from lemonade.prescreen import prescreen, prescreen_limits
from lemonade.sandbox.runner import run_candidate, training_job

OBJS = [Objective(metric="val_accuracy", threshold=0.7),
        Objective(metric="params", threshold=1000, priority=3),
        Objective(metric="latency_ms", threshold=2.0)]


def test_limits_cover_min_objectives_known_before_training() -> None:
    assert prescreen_limits(OBJS, 3.0) == {"params": (1000, 3000)}
    assert prescreen_limits(OBJS, None) == {}
    assert prescreen_limits([Objective(metric="flops", threshold=1e6)], 2.0) == {
        "flops": (1e6, 2e6)}


def test_prescreen_names_the_figures_or_lets_it_train() -> None:
    limits = prescreen_limits(OBJS, 3.0)
    why = prescreen({"params": 4500, "flops": 1e9}, limits, 3.0)
    assert why is not None and "params 4,500 is 4.5x its threshold 1,000" in why
    assert prescreen({"params": 2999}, limits, 3.0) is None
    assert prescreen({}, limits, 3.0) is None


@pytest.mark.slow
def test_an_oversized_model_is_sent_back_untrained(tmp_path: Path) -> None:
    cfg = build_config({
        "dataset": {"name": "synthetic", "synthetic_shape": [1, 8, 8], "synthetic_size": 64},
        "budget": {"epochs": 50}, "device": "cpu",
        "measure": {"energy": False, "inference_energy": False}})
    # TINY_NET has 90 params at 1 channel / 10 classes: over 3 x 20
    clock = clock_for([], cap_s=600, epochs=50, n_train=58,
                      prescreen=prescreen_limits([Objective(metric="params", threshold=20)], 3),
                      prescreen_factor=3.0)
    events: list[dict[str, Any]] = []
    job = training_job(with_limits(cfg, SandboxConfig(memory_limit_mb=2048), 600), TINY_NET,
                       workdir=tmp_path / "job")
    out = run_candidate(job, on_event=events.append, clock=clock)
    assert out.status == "failed" and "prescreened before training" in (out.reason or "")
    assert out.info["prescreen"]["params"] == 90
    assert sum(e["event"] == "epoch" for e in events) == 0  # the worker took no step


# ---- model size and latency, the rule made explicit -------------------------------------------

def test_model_size_is_prescreened_by_default_and_latency_on_request() -> None:
    objs = [Objective(metric="model_size_bytes", threshold=4000),
            Objective(metric="latency_ms", threshold=2.0)]
    assert prescreen_limits(objs, 3.0) == {"model_size_bytes": (4000, 12000)}
    assert prescreen_limits(objs, 3.0, ["latency_ms"]) == {"latency_ms": (2.0, 6.0)}
    assert prescreen_limits(objs, 3.0, []) == {}
    why = prescreen({"model_size_bytes": 20000}, prescreen_limits(objs, 3.0), 3.0)
    assert why is not None and "model_size_bytes" in why and "5.0x" in why


def test_config_names_the_prescreened_figures() -> None:
    from lemonade.config import ConfigError

    assert build_config({}).budget.prescreen_metrics == ["params", "flops", "model_size_bytes"]
    cfg = build_config({"budget": {"prescreen_metrics": ["latency_ms"]}})
    assert cfg.budget.prescreen_metrics == ["latency_ms"]
    with pytest.raises(ConfigError):
        build_config({"budget": {"prescreen_metrics": ["val_accuracy"]}})


def test_the_rule_is_stated_with_its_limits() -> None:
    from lemonade.prescreen import describe_rule

    text = describe_rule(3.0, ["params", "model_size_bytes"], OBJS)
    assert "params, model_size_bytes of the untrained model" in text
    assert "3x a min objective's threshold" in text
    assert "params <= 1,000 (sent back above 3,000)" in text
    assert "display only" in text
    assert "nothing is prescreened" in describe_rule(3.0, ["flops"], OBJS)
    assert describe_rule(None, None).startswith("Prescreen off")


def test_the_report_states_the_runs_rule() -> None:
    from types import SimpleNamespace

    from lemonade.report_stops import prescreen_rule

    ctx = SimpleNamespace(objectives=OBJS, config={"budget": {
        "prescreen_factor": 2.0, "prescreen_metrics": ["params", "latency_ms"]}})
    text = prescreen_rule(ctx)
    assert "params, latency_ms" in text and "2x" in text
    assert "latency_ms <= 2 (sent back above 4)" in text
    # a run recorded before prescreen_metrics existed compared params and FLOPs
    old = SimpleNamespace(objectives=OBJS, config={"budget": {"prescreen_factor": 3.0}})
    assert "params, flops of the untrained model" in prescreen_rule(old)


def test_the_untrained_cost_has_the_size_the_trusted_measurement_counts(tmp_path: Path) -> None:
    import torch
    from test_measure import trusted

    from lemonade.evaluate import untrained_cost

    model = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.BatchNorm2d(8),
                                torch.nn.Flatten(), torch.nn.LazyLinear(10))
    model(torch.zeros(2, 3, 8, 8))  # materialise the lazy layer
    model.train()
    cost = untrained_cost(model, 3, (8, 8))
    measured = trusted(model, (3, 8, 8), 10, tmp_path)  # exported in eval mode, as trained ones
    model.train()
    assert cost["model_size_bytes"] == measured["model_size_bytes"].value
    assert cost["flops"] == measured["flops"].value and "latency_ms" not in cost
    timed = untrained_cost(model, 3, (8, 8), latency=True)
    assert timed["latency_ms"] > 0 and model.training  # its mode is restored


def test_the_host_sends_back_on_a_reported_size() -> None:
    from lemonade.sandbox.runner import Progress

    clock = clock_for([], cap_s=600, epochs=5, n_train=100,
                      prescreen=prescreen_limits([Objective(metric="model_size_bytes",
                                                            threshold=1000)], 3.0),
                      prescreen_factor=3.0)
    progress = Progress()
    progress.listen(None)({"event": "cost", "params": 10, "flops": 100.0,
                           "model_size_bytes": 5000, "display_only": True})
    assert progress.cost == {"params": 10, "flops": 100.0, "model_size_bytes": 5000}
    why = progress.settle_prescreen(clock)
    assert why is not None and "model_size_bytes" in why
