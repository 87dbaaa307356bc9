"""Explicit objectives are exactly the objectives; the preset fills in only when asked."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from e2e import run_cli

from lemonade import metrics as M
from lemonade.config import build_config, dump_config, preset_objectives
from lemonade.objectives import cme, rank_key
from lemonade.report import objective_origins
from lemonade.store import Store

TWO = [{"metric": "val_accuracy", "threshold": 0.7}, {"metric": "params", "threshold": 300000}]


def test_given_objectives_are_exactly_the_objectives() -> None:
    cfg = build_config({"dataset": {"name": "cifar10"}, "preset": "balanced", "objectives": TWO})
    assert [o.metric for o in cfg.resolved_objectives()] == ["val_accuracy", "params"]
    assert [s for _, s in cfg.objective_sources()] == ["user", "user"]


def test_preset_extends_merges_and_names_the_source() -> None:
    cfg = build_config({"dataset": {"name": "cifar10"}, "preset": "balanced",
                        "preset_extends": True, "objectives": TWO[1:]})
    got = {o.metric: (o, s) for o, s in cfg.objective_sources()}
    preset = {o.metric for o in preset_objectives("balanced", "cifar10")}
    assert set(got) == preset
    assert got["params"][1] == "user" and got["params"][0].threshold == 300000
    assert got["latency_ms"][1] == "preset balanced"


def test_no_objectives_take_the_preset() -> None:
    cfg = build_config({"dataset": {"name": "cifar10"}, "preset": "accuracy-first"})
    assert cfg.resolved_objectives() == preset_objectives("accuracy-first", "cifar10")
    assert {s for _, s in cfg.objective_sources()} == {"preset accuracy-first"}


def test_dump_keeps_objectives_and_their_origins() -> None:
    cfg = build_config({"dataset": {"name": "cifar10"}, "preset_extends": True,
                        "objectives": TWO[1:]})
    again = build_config(yaml.safe_load(dump_config(cfg)))
    assert again.objective_sources() == cfg.objective_sources()
    doc = yaml.safe_load(dump_config(cfg))
    assert objective_origins(doc, len(doc["objectives"])) == [s for _, s in
                                                              cfg.objective_sources()]


@pytest.mark.slow
def test_a_run_optimises_exactly_the_given_objectives(tmp_path: Path) -> None:
    cfgp = tmp_path / "two.yaml"
    cfgp.write_text(yaml.safe_dump({
        "dataset": {"name": "digits"}, "preset": "balanced",
        "objectives": [{"metric": "val_accuracy", "threshold": 0.9},
                       {"metric": "params", "threshold": 8000}],
        "budget": {"iterations": 2, "epochs": 1, "repair_attempts": 0},
        "train": {"batch_size": 64},
        "measure": {"latency_repeats": 3, "latency_warmup": 1, "energy": False},
        "device": "cpu"}))
    res = run_cli("search", "--config", str(cfgp), "--run-dir", str(tmp_path / "r"),
                  cwd=tmp_path)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    head = res.stdout[:3000]
    assert "objectives" in head and "user" in head and "preset" not in head
    doc = yaml.safe_load((tmp_path / "r" / "config.yaml").read_text())
    assert [o["metric"] for o in doc["objectives"]] == ["val_accuracy", "params"]
    assert doc["objective_origins"] == ["user", "user"]
    objs = build_config(doc).resolved_objectives()
    st = Store.open(tmp_path / "r")
    ok = st.candidates(status="ok")
    assert ok
    for c in ok:  # the stored score is over the two objectives, nothing else
        assert c.cme == pytest.approx(cme(objs, M.values(c.metrics)))
    best = min(ok, key=lambda c: rank_key(objs, M.values(c.metrics)))
    assert st.summary()["best"].id == best.id
