from pathlib import Path

import pytest

from lemonade.config import (
    DATASET_NAMES,
    Config,
    ConfigError,
    build_config,
    dump_config,
    load_config,
    preset_objectives,
)

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "configs"


def test_defaults_run_offline_on_digits() -> None:
    cfg = load_config(None)
    assert cfg.dataset.name == "digits"
    assert cfg.proposer.kind == "offline"
    assert cfg.budget.iterations >= 1
    metrics = {o.metric for o in cfg.resolved_objectives()}
    assert "val_accuracy" in metrics


@pytest.mark.parametrize(
    ("data", "field", "hint"),
    [
        ({"dataset": {"name": "imagenet"}}, "dataset.name", "cifar10"),
        ({"objectives": [{"metric": "acc", "threshold": 0.9}]}, "objectives.0.metric",
         "val_accuracy"),
        ({"objectives": [{"metric": "params", "threshold": -5}]}, "objectives.0.threshold",
         "positive"),
        ({"objectives": [{"metric": "val_accuracy", "threshold": 90}]}, "objectives.0",
         "fraction"),
        ({"objectives": [{"metric": "params", "threshold": 1, "priority": 0}]},
         "objectives.0.priority", "greater than 0"),
        ({"proposer": {"kind": "claude"}}, "proposer.kind", "offline"),
        ({"proposer": {"temperature": 5}}, "proposer.temperature", "2"),
        ({"budget": {"iterations": 0}}, "budget.iterations", "1"),
        ({"budget": {"itterations": 3}}, "budget.itterations", "unknown key"),
        ({"preset": "fast"}, "preset", "balanced"),
        ({"device": "tpu"}, "device", "cuda"),
        ({"bogus": 1}, "bogus", "unknown key"),
    ],
)
def test_errors_name_the_field_and_allowed_values(data: dict, field: str, hint: str) -> None:
    with pytest.raises(ConfigError) as e:
        build_config(data)
    msg = str(e.value)
    assert field in msg
    assert hint in msg


def test_overrides_beat_the_file(tmp_path: Path) -> None:
    p = tmp_path / "c.yaml"
    p.write_text("dataset: {name: cifar10, data_dir: /x}\nbudget: {epochs: 9, iterations: 4}\n")
    cfg = load_config(p, {"budget.epochs": 2, "dataset.data_dir": None, "seed": 7})
    assert cfg.budget.epochs == 2
    assert cfg.budget.iterations == 4  # untouched by the override
    assert cfg.dataset.data_dir == "/x"  # None means "not given"
    assert cfg.seed == 7


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("dataset: [unclosed", "not valid YAML"),
        ("- a\n- b\n", "mapping"),
    ],
)
def test_bad_files(tmp_path: Path, text: str, expect: str) -> None:
    p = tmp_path / "c.yaml"
    p.write_text(text)
    with pytest.raises(ConfigError, match=expect):
        load_config(p)


def test_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.yaml")


def test_user_objectives_override_preset_by_metric_when_extending() -> None:
    cfg = build_config({"preset": "balanced", "preset_extends": True,
                        "objectives": [{"metric": "params", "threshold": 1234, "priority": 9},
                                       {"metric": "co2_kg", "threshold": 0.01}]})
    objs = {o.metric: o for o in cfg.resolved_objectives()}
    assert objs["params"].threshold == 1234 and objs["params"].priority == 9
    assert objs["co2_kg"].goal == "min"  # natural direction filled in
    assert "val_accuracy" in objs  # the preset's others stay (preset_extends)


@pytest.mark.parametrize("preset", ["accuracy-first", "balanced", "efficiency-first"])
@pytest.mark.parametrize("dataset", DATASET_NAMES)
def test_presets_are_valid_for_every_dataset(preset: str, dataset: str) -> None:
    objs = preset_objectives(preset, dataset)
    assert objs and all(o.threshold > 0 for o in objs)


def test_accuracy_first_weights_accuracy_most() -> None:
    objs = {o.metric: o.priority for o in preset_objectives("accuracy-first", "cifar10")}
    assert objs["val_accuracy"] == max(objs.values())
    eff = {o.metric: o.priority for o in preset_objectives("efficiency-first", "cifar10")}
    assert eff["val_accuracy"] < max(eff.values())


def test_dump_round_trips() -> None:
    cfg = build_config({"dataset": {"name": "synthetic"}, "seed": 3})
    again = build_config(__import__("yaml").safe_load(dump_config(cfg)))
    assert again.resolved_objectives() == cfg.resolved_objectives()
    assert again.model_dump() == Config.model_validate(again.model_dump()).model_dump()
    assert again.seed == 3


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_example_configs_load(path: Path) -> None:
    cfg = load_config(path)
    assert cfg.resolved_objectives()


@pytest.mark.parametrize(
    ("rule", "expect"),
    [
        ({"name": "r", "when": "latency_ms > __import__('os')", "then": ["reduce_kernels"]}, "r"),
        ({"name": "r2", "when": "params > 10", "then": ["make_it_better"]}, "make_it_better"),
        ({"name": "r3", "when": "params >", "then": ["reduce_kernels"]}, "r3"),
    ],
)
def test_bad_user_rules_are_config_errors(rule: dict, expect: str) -> None:
    with pytest.raises(ConfigError) as e:
        build_config({"rules": [rule]})
    assert "rules" in str(e.value) and expect in str(e.value)


@pytest.mark.parametrize("metric", ["test_accuracy", "train_accuracy"])
def test_objectives_on_untrusted_or_test_metrics_are_refused(metric: str) -> None:
    # the test split is only reported; train accuracy comes from the candidate's own process
    with pytest.raises(ConfigError, match="use val_accuracy"):
        build_config({"objectives": [{"metric": metric, "threshold": 0.9}]})
    ok = build_config({"objectives": [{"metric": "val_accuracy", "threshold": 0.9}]})
    assert ok.objectives[0].metric == "val_accuracy"


@pytest.mark.parametrize(("budget", "epochs", "want_epochs"), [
    ({"epochs": 5}, None, 5),  # single fidelity: the run's epochs
    ({"epochs": 5, "proxy_epochs": 2}, 2, 2),  # a proxy row
    ({"epochs": 5, "proxy_epochs": 2}, 5, 5),  # its promotion
    ({"epochs": 5, "proxy_epochs": 2}, None, 5),  # an older row of no recorded fidelity
])
def test_a_candidates_config_trains_its_fidelity(budget: dict, epochs: int | None,
                                                 want_epochs: int) -> None:
    cfg = build_config({"budget": budget}).for_candidate(epochs)
    assert cfg.budget.epochs == want_epochs and cfg.budget.proxy_epochs is None


@pytest.mark.parametrize(("given", "energy", "int8"), [
    ({}, False, False),  # "auto" and no objective names them
    ({"objectives": [{"metric": "int8_model_size_bytes", "threshold": 1e6}]}, False, True),
    ({"objectives": [{"metric": "inference_energy_j", "threshold": 1.0}]}, True, False),
    ({"measure": {"inference_energy": True, "int8": True}}, True, True),
])
def test_a_candidates_config_resolves_the_auto_measurements(given: dict, energy: bool,
                                                            int8: bool) -> None:
    m = build_config(given).for_candidate(None).measure
    assert (m.inference_energy, m.int8) == (energy, int8)
