"""Cheap metrics first: a model far over a cost threshold goes back before training."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tiny_job import TINY_NET

from lemonade.budget import clock_for
from lemonade.config import Objective, SandboxConfig, build_config
from lemonade.prescreen import prescreen, prescreen_limits
from lemonade.sandbox.runner import CandidateJob, run_candidate

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
    job = CandidateJob(source=TINY_NET, config=cfg.model_dump(mode="json"),
                       workdir=str(tmp_path / "job"), device="cpu")
    out = run_candidate(job, SandboxConfig(memory_limit_mb=2048), timeout_s=600,
                        on_event=events.append, clock=clock)
    assert out.status == "failed" and "prescreened before training" in (out.reason or "")
    assert out.info["prescreen"]["params"] == 90
    assert sum(e["event"] == "epoch" for e in events) == 0  # the worker took no step
