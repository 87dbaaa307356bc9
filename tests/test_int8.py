"""Int8 truth (post-training static quantization by onnxruntime, in the trusted measurement) and
ONNX parity: measured figures, unavailable reasons, the config switch, the test split kept away
from the search, the expert rule, and a search that ranks by int8_val_accuracy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import nn

from lemonade import metrics as M
from lemonade.config import MeasureConfig, Objective, build_config
from lemonade.measure.program import TRUSTED

pytest.importorskip("onnxruntime")
torch.set_num_threads(1)
ROOT = Path(__file__).resolve().parents[1]
INT8 = ("int8_val_accuracy", "int8_test_accuracy", "int8_model_size_bytes", "int8_latency_ms")


class SmallBN(nn.Module):
    """A small CNN with BatchNorm (trusted test code: trained and exported here)."""

    def __init__(self) -> None:
        super().__init__()
        self.f = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16),
                               nn.ReLU(), nn.Conv2d(16, 32, 3, padding=1, bias=False),
                               nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
                               nn.Conv2d(32, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32),
                               nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                               nn.Linear(32, 10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.f(x)


@pytest.fixture(scope="module")
def digits() -> Any:
    from lemonade.data import load_dataset

    return load_dataset(build_config({"dataset": {"name": "digits"}}).dataset, 0)


@pytest.fixture(scope="module")
def trained(digits: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The checked exported program of SmallBN after a short training on digits."""
    from lemonade.config import resolve_train
    from lemonade.sandbox.artifacts import (
        ProgramModule,
        export_program,
        load_program,
        save_program,
    )
    from lemonade.train import train_model

    torch.manual_seed(0)
    net = SmallBN()
    cfg = build_config({"dataset": {"name": "digits"}})
    tc = resolve_train(cfg.train, "digits", int(digits.x_train.shape[0]))
    train_model(net, digits, tc, epochs=4, max_seconds=None, device=torch.device("cpu"), seed=0)
    folder = tmp_path_factory.mktemp("int8-art")
    save_program(export_program(net, torch.zeros(2, 1, 8, 8)), folder)
    return ProgramModule(load_program(folder)[0])


def _splits(d: Any) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    return ({"x_val": d.x_val, "y_val": d.y_val, "x_test": d.x_test, "y_test": d.y_test},
            {"mean": list(d.mean), "std": list(d.std), "num_classes": d.num_classes})


def _cfg(**kw: Any) -> MeasureConfig:
    return MeasureConfig(latency_repeats=5, latency_warmup=1, energy=False,
                         inference_energy=False, **kw)


def test_int8_of_a_small_bn_cnn_is_small_and_close(trained: Any, digits: Any) -> None:
    from lemonade.measure.int8 import calibration_sample
    from lemonade.measure.program import measure_program

    splits, meta = _splits(digits)
    ms = measure_program(trained, splits, meta, _cfg(), torch.device("cpu"),
                         calibration_sample(digits.x_train, 128))
    v = M.values(ms)
    for name in (*INT8, *M.PARITY_METRICS):
        assert name in v, (name, ms[name].unavailable)
        assert ms[name].method["trusted"] is True
    assert v["val_accuracy"] > 0.85
    # int8 weights (+ per-channel scales) against float32: well under half the float size
    assert v["int8_model_size_bytes"] < 0.4 * v["model_size_bytes"]
    assert abs(v["int8_val_accuracy"] - v["val_accuracy"]) < 0.04
    assert abs(v["int8_test_accuracy"] - v["test_accuracy"]) < 0.04
    assert v["int8_latency_ms"] > 0
    q = ms["int8_val_accuracy"].method
    assert q["calibration_split"] == "train" and q["calibration_images"] == 128
    assert q["format"] == "QDQ" and "per output channel" in q["weights"]
    # the float ONNX file reproduces the torch graph
    assert v["onnx_argmax_agreement"] >= 0.999 and v["onnx_max_abs_diff"] < 1e-3
    assert ms["onnx_max_abs_diff"].method["split"] == "val"


def test_int8_off_and_unquantizable_are_unavailable_not_failures(
        trained: Any, digits: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from lemonade.measure import int8
    from lemonade.measure.int8 import measure_int8

    splits, meta = _splits(digits)
    off = measure_int8(trained, splits, meta, digits.x_train[:32], _cfg(int8=False), TRUSTED)
    assert {m.name for m in off} == set(INT8) | set(M.PARITY_METRICS)
    assert all(m.value is None and "measure.int8" in (m.unavailable or "") for m in off)

    def refuse(*_a: Any, **_k: Any) -> None:
        raise ValueError("operator Foo has no int8 kernel")

    monkeypatch.setattr(int8, "quantize", refuse)
    ms = {m.name: m for m in measure_int8(trained, splits, meta, digits.x_train[:32], _cfg(),
                                          TRUSTED)}
    for name in INT8:
        assert ms[name].value is None
        assert "cannot be quantized" in (ms[name].unavailable or "")
        assert "no int8 kernel" in (ms[name].unavailable or "")
    assert ms["onnx_argmax_agreement"].value == 1.0  # parity still measured
    none = {m.name: m for m in measure_int8(trained, splits, meta, None, _cfg(), TRUSTED)}
    assert "no training images" in (none["int8_val_accuracy"].unavailable or "")


def test_calibration_sample_is_seeded_and_from_the_given_images() -> None:
    from lemonade.measure.int8 import calibration_sample

    x = torch.arange(100, dtype=torch.uint8).reshape(100, 1, 1, 1)
    a, b = calibration_sample(x, 10), calibration_sample(x, 10)
    assert torch.equal(a, b) and a.shape[0] == 10 and len(set(a.flatten().tolist())) == 10
    assert calibration_sample(x, 500).shape[0] == 100


def test_parity_figures() -> None:
    import numpy as np

    from lemonade.measure.int8 import parity

    ref = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 1.0], [0.0, 3.0]])
    got = ref.copy()
    got[1] = [1.5, 1.0]  # argmax flips on one of four images
    diff, agree = parity(ref, got)
    assert diff == pytest.approx(1.5) and agree == pytest.approx(0.75)
    with pytest.raises(ValueError):
        parity(ref, ref[:, :1])


class ViewBySize(nn.Module):
    """Flattens with x.view(x.size(0), -1): the graph reads the batch size."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.fc = nn.Linear(4 * 4 * 4, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = nn.functional.max_pool2d(torch.relu(self.conv(x)), 2)
        return self.fc(x.view(x.size(0), -1))


def test_the_measurement_onnx_file_runs_at_every_batch_when_the_graph_reads_the_batch(
        tmp_path: Path) -> None:
    import numpy as np

    from lemonade.measure.int8 import export_for_measurement, onnx_session
    from lemonade.sandbox.artifacts import (
        ProgramModule,
        export_program,
        load_program,
        save_program,
    )

    torch.manual_seed(0)
    save_program(export_program(ViewBySize().eval(), torch.zeros(2, 1, 8, 8)), tmp_path)
    model = ProgramModule(load_program(tmp_path)[0]).eval()
    path = tmp_path / "m.onnx"
    # traced, the batch read by x.size(0) would be the example's 2 at every batch
    assert export_for_measurement(model, torch.zeros(2, 1, 8, 8), path) == "dynamo"
    x = torch.randn(7, 1, 8, 8)
    sess = onnx_session(str(path), None)
    got = sess.run(None, {sess.get_inputs()[0].name: x.numpy()})[0]
    with torch.no_grad():
        assert np.allclose(got, model(x).numpy(), atol=1e-5)


def test_int8_test_accuracy_is_refused_as_objective_with_a_pointer() -> None:
    with pytest.raises(ValueError, match="int8_val_accuracy"):
        Objective(metric="int8_test_accuracy", threshold=0.9)
    assert Objective(metric="int8_val_accuracy", threshold=0.9).goal == "max"
    assert Objective(metric="int8_model_size_bytes", threshold=1e4).goal == "min"


def test_int8_test_accuracy_never_reaches_proposers_memory_or_advice() -> None:
    from lemonade.candidate import proposer_values
    from lemonade.expert import advise

    vals = {"val_accuracy": 0.9, "int8_val_accuracy": 0.8, "int8_test_accuracy": 0.123,
            "test_accuracy": 0.456}
    assert set(proposer_values(vals)) == {"val_accuracy", "int8_val_accuracy"}
    assert set(M.validation_only(vals)) == {"val_accuracy", "int8_val_accuracy"}
    text = advise([Objective(metric="val_accuracy", threshold=0.95)], vals).prompt_text()
    assert "0.123" not in text and "int8_test" not in text and "0.456" not in text


@pytest.mark.parametrize(("setting", "objective", "rule", "want"), [
    ("auto", None, None, False),
    ("auto", "int8_val_accuracy", None, True),
    ("auto", "int8_latency_ms", None, True),
    ("auto", None, "int8_val_accuracy < 0.9", True),
    (False, "int8_val_accuracy", None, False),
    (True, None, None, True),
])
def test_measure_int8_auto(setting: Any, objective: str | None, rule: str | None,
                           want: bool) -> None:
    doc: dict[str, Any] = {"dataset": {"name": "digits"}, "measure": {"int8": setting}}
    if objective:
        doc["objectives"] = [{"metric": objective, "threshold": 0.9 if "acc" in objective
                              else 5.0}]
    if rule:
        doc["rules"] = [{"name": "r", "when": rule, "then": ["add_kernels"]}]
    assert build_config(doc).measures_int8() is want


def test_quantization_drop_rule() -> None:
    from lemonade.expert import advise
    from lemonade.rules import QUANT_DROP

    objs = [Objective(metric="val_accuracy", threshold=0.9)]
    ok = advise(objs, {"val_accuracy": 0.97, "int8_val_accuracy": 0.97 - QUANT_DROP / 2})
    assert not any("int8" in d for d in ok.diagnosis)
    bad = advise(objs, {"val_accuracy": 0.97, "int8_val_accuracy": 0.89})
    assert any("int8 quantization costs 8.0 points" in d for d in bad.diagnosis)
    reg = next(i for i in bad.instructions if i.action == "add_regularization")
    assert "BatchNorm after each conv" in reg.reason and "ReLU" in reg.reason
    # with an objective on int8_val_accuracy, the rule carries that objective
    q = advise([Objective(metric="int8_val_accuracy", threshold=0.95, priority=4)],
               {"val_accuracy": 0.97, "int8_val_accuracy": 0.89})
    assert any(i.objective == "int8_val_accuracy" and i.priority == 4 for i in q.instructions)


def test_a_search_with_an_int8_objective_ranks_by_it(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Candidates whose float and int8 accuracies disagree in order: the best is the best int8
    one, and each job asked the measurement for int8 (measure.int8: auto)."""
    from lemonade.config import load_config
    from lemonade.sandbox import runner as runner_mod
    from lemonade.sandbox.runner import CandidateOutcome
    from lemonade.search import start_run

    # float accuracy rises with each candidate, int8 accuracy falls
    figures = [(0.90, 0.89), (0.95, 0.80), (0.99, 0.60)]
    asked: list[Any] = []

    def fake(job: Any, on_event: Any = None, **_kw: Any) -> Any:
        asked.append(job.config.measure.int8)
        val, q = figures[min(len(asked) - 1, len(figures) - 1)]
        ms = {"val_accuracy": M.measured("val_accuracy", val),
              "int8_val_accuracy": M.measured("int8_val_accuracy", q),
              "int8_test_accuracy": M.measured("int8_test_accuracy", q),
              "params": M.measured("params", 1000 + len(asked))}
        return CandidateOutcome(status="ok", reason=None, metrics=ms, seconds=0.1)

    monkeypatch.setattr(runner_mod, "run_candidate", fake)  # what a pool task calls
    cfgp = tmp_path / "c.yaml"
    cfgp.write_text("dataset: {name: digits}\nobjectives:\n"
                    "  - {metric: int8_val_accuracy, threshold: 0.95, priority: 5}\n"
                    "  - {metric: val_accuracy, threshold: 0.5, priority: 0.1}\n"
                    "budget: {iterations: 3, epochs: 1}\nproposer: {kind: offline}\n"
                    "sandbox: {prestart: false}\ndevice: cpu\n")
    cfg = load_config(cfgp, {"run_dir": str(tmp_path / "run")})
    res = start_run(cfg).run()
    assert res.status == "finished"
    assert asked and all(a is True for a in asked)
    best = json.loads((tmp_path / "run" / "best" / "candidate.json").read_text())
    from lemonade.store import Store

    with Store.open(tmp_path / "run") as st:
        ok = st.candidates(status="ok")
    by_id = {c.id: M.values(c.metrics) for c in ok}
    assert len(by_id) >= 2
    assert by_id[best["candidate_id"]]["int8_val_accuracy"] == max(
        v["int8_val_accuracy"] for v in by_id.values())
    assert by_id[best["candidate_id"]]["val_accuracy"] < max(
        v["val_accuracy"] for v in by_id.values())


@pytest.mark.slow
def test_lemonade_evaluate_prints_and_writes_the_int8_metrics(tmp_path: Path) -> None:
    from e2e import run_cli

    out = tmp_path / "m.json"
    res = run_cli("evaluate", str(ROOT / "examples" / "models" / "small_cnn.py"), "--dataset",
                  "digits", "--epochs", "3", "--device", "cpu", "--json", str(out), cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    m = json.loads(out.read_text())["metrics"]
    for name in (*INT8, *M.PARITY_METRICS):
        assert m[name]["value"] is not None, (name, m[name])
        assert m[name]["method"]["trusted"] is True
        assert name in res.stdout
    assert m["int8_model_size_bytes"]["value"] < 0.5 * m["model_size_bytes"]["value"]
    assert abs(m["int8_val_accuracy"]["value"] - m["val_accuracy"]["value"]) < 0.05
    assert m["int8_val_accuracy"]["method"]["calibration_split"] == "train"


def test_int8_latency_is_timed_on_a_validation_image(
        trained: Any, digits: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The quantized model is timed on the first real validation image, normalised (as the
    float32 latency is), not on random numbers."""
    from lemonade.data.augment import normalize
    from lemonade.measure import int8

    timed: list[Any] = []
    real = int8._median_run_ms

    def spy(sess: Any, x: Any, warmup: int, repeats: int) -> tuple[float, list[float]]:
        timed.append(x)
        return real(sess, x, warmup, repeats)

    monkeypatch.setattr(int8, "_median_run_ms", spy)
    splits, meta = _splits(digits)
    ms = {m.name: m for m in int8.measure_int8(trained, splits, meta, digits.x_train[:32],
                                               _cfg(), TRUSTED)}
    assert ms["int8_latency_ms"].value is not None and len(timed) == 1
    expected = normalize(digits.x_val[:1], tuple(meta["mean"]), tuple(meta["std"])).numpy()
    assert timed[0].shape == (1, *digits.x_val.shape[1:])
    assert (timed[0] == expected).all()
    assert not (timed[0] == normalize(digits.x_val[1:2], tuple(meta["mean"]),
                                      tuple(meta["std"])).numpy()).all()
    assert "validation image" in ms["int8_latency_ms"].method["inputs"]
    # no val split (after finalize): the test split's first image
    timed.clear()
    no_val = {**splits, "x_val": digits.x_val[:0], "y_val": digits.y_val[:0]}
    int8.measure_int8(trained, no_val, meta, digits.x_train[:32], _cfg(), TRUSTED)
    assert (timed[0] == normalize(digits.x_test[:1], tuple(meta["mean"]),
                                  tuple(meta["std"])).numpy()).all()
