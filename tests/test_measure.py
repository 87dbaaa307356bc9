"""Metrics of a model: counts checked against hand-computed values, timings against their method
records, energy against its contract (a positive figure with a source, or a reason; never 0)."""

from __future__ import annotations

import math
import os
import socket
import time
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import nn

from lemonade.config import MeasureConfig
from lemonade.measure import EnergyTracker, energy_figures, latency_and_fps
from lemonade.measure.energy import integrate_power
from lemonade.measure.latency import cpu_threads, latency_device
from lemonade.metrics import METRICS, Measurement

CPU = torch.device("cpu")


def conv_net() -> nn.Module:
    """conv 3->8 k3 pad1 on 8x8, ReLU, flatten, Linear(8*8*8 -> 10)."""
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Flatten(),
                         nn.Linear(8 * 8 * 8, 10))


# -- params, size and FLOPs: the trusted measurement, on the exported graph ---------------------

def trusted(model: nn.Module, shape: tuple[int, int, int], num_classes: int, tmp: Path,
            measure: dict[str, Any] | None = None, n: int = 16) -> dict[str, Measurement]:
    """Export `model` like the training worker, measure it like the measurement process
    (`measure_job.measure`, in this process) on random uint8 images of `shape`."""
    from lemonade.metrics import from_json
    from lemonade.sandbox.artifacts import export_program, save_program, write_split
    from lemonade.sandbox.measure_job import measure as measure_job

    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 256, (2 * n, *shape), dtype=torch.uint8, generator=g)
    y = torch.randint(0, num_classes, (2 * n,), generator=g)
    c = shape[0]
    split = tmp / "eval.safetensors"
    sha = write_split(split, {"x_val": x[:n], "y_val": y[:n], "x_test": x[n:], "y_test": y[n:]},
                      {"name": "t", "num_classes": num_classes, "mean": [0.5] * c,
                       "std": [0.25] * c})
    art = tmp / "artifacts"
    save_program(export_program(model.eval(), torch.zeros(2, *shape)), art)
    out = measure_job({"artifacts": str(art), "eval_split": str(split), "eval_sha256": sha,
                       "measure": measure or FAST_DOC, "device": "cpu"})
    assert out["status"] == "ok", out
    return from_json(out["metrics"])


FAST_DOC = {"energy": False, "inference_energy": False, "latency_warmup": 0,
            "latency_repeats": 2, "fps_batch_size": 2}


def test_params_counts_every_parameter_and_says_what_it_left_out(tmp_path):
    net = nn.Sequential(nn.Flatten(), nn.Linear(4, 3), nn.BatchNorm1d(3), nn.Linear(3, 2))
    net[3].weight.requires_grad_(False)
    m = trusted(net, (1, 2, 2), 2, tmp_path)["params"]
    # Linear(4,3): 12+3, BN(3): 3+3 (running stats are state, not weights), Linear(3,2): 6+2
    assert m.value == 15 + 6 + 8
    assert m.method["parameters"] == 15 + 6 + 8  # frozen or not, a parameter is a weight
    not_counted = m.method["not_counted"]
    # running_mean, running_var, num_batches_tracked
    assert not_counted["normalisation_statistics"] + not_counted["unused_state"] == 3 + 3 + 1


def test_params_counts_a_shared_parameter_once(tmp_path):
    lin = nn.Linear(5, 5)
    net = nn.Sequential(nn.Flatten(), lin, nn.ReLU(), lin)
    assert trusted(net, (5, 1, 1), 5, tmp_path)["params"].value == 30


def test_model_size_is_tensor_bytes_plus_bounded_overhead(tmp_path):
    net = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.AdaptiveAvgPool2d(1),
                        nn.Flatten(), nn.Linear(8, 50))
    sd = net.state_dict()
    tensor_bytes = sum(t.numel() * t.element_size() for t in sd.values())
    hand = 4 * (8 * 3 * 9 + 8 + 8 + 8 + 8 + 8 + 8 * 50 + 50) + 8  # float32 + int64 counter
    assert tensor_bytes == hand
    m = trusted(net, (3, 6, 6), 50, tmp_path)["model_size_bytes"]
    # safetensors: one JSON header naming each tensor (a bounded overhead per tensor)
    assert hand < m.value < hand + 2048 + 256 * len(sd)
    assert "safetensors" in m.method["tool"]


def test_flops_of_a_known_conv_net_match_the_hand_count(tmp_path):
    conv = 2 * (8 * 8 * 8) * (3 * 3 * 3)  # 2 x output elements x MACs per output
    linear = 2 * (8 * 8 * 8) * 10
    m = trusted(conv_net(), (3, 8, 8), 10, tmp_path)["flops"]
    assert m.method["by_category"]["matmul/conv"] == conv + linear
    assert m.value == conv + linear + 8 * 8 * 8  # + the ReLU: 1 per element
    assert 1 in m.method["batch_sizes"]
    assert "2 FLOPs" in m.method["convention"]


def test_untrained_flops_scale_with_image_size_and_restore_train_mode():
    """The training worker's cost of the untrained model (the host's clock and prescreen read
    it) is counted by the same graph counter as the trusted FLOPs."""
    from lemonade.evaluate import untrained_cost

    net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4),
                        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 2))
    net.train()
    small = untrained_cost(net, 1, (8, 8))["flops"]
    big = untrained_cost(net, 1, (16, 16))["flops"]
    assert net.training  # batch 1 ran in eval mode (BatchNorm) and the mode came back
    linear = 2 * 4 * 2
    assert (big - linear) == 4 * (small - linear)
    assert untrained_cost(conv_net(), 3, (8, 8))["params"] == 8 * 27 + 8 + 512 * 10 + 10


# -- latency and FPS --------------------------------------------------------------------------

def test_latency_and_fps_are_positive_with_method_and_threads_restored():
    cfg = MeasureConfig(latency_device="cpu", latency_threads=1, latency_warmup=1,
                        latency_repeats=5, fps_batch_size=8)
    with cpu_threads(2):
        before = torch.get_num_threads()
        lat, fps = latency_and_fps(conv_net(), 3, (8, 8), cfg, CPU)
        assert torch.get_num_threads() == before
    assert lat.name == "latency_ms" and fps.name == "fps"
    assert lat.value > 0 and fps.value > 0
    assert lat.method["threads"] == 1 and lat.method["device"] == "cpu"
    assert lat.method["batch_size"] == 1 and lat.method["repeats"] == 5
    assert fps.method["batch_size"] == 8
    lo, hi = lat.method["spread_ms"]
    assert lo <= lat.value <= hi


def test_latency_does_not_move_or_switch_the_callers_model():
    net = conv_net().train()
    cfg = MeasureConfig(latency_warmup=0, latency_repeats=1, fps_batch_size=2)
    latency_and_fps(net, 3, (8, 8), cfg, CPU)
    assert net.training


@pytest.mark.parametrize(("setting", "train", "cuda", "expected"), [
    ("auto", "cpu", False, "cpu"),
    ("cpu", "cpu", False, "cpu"),
    ("cuda", "cpu", False, None),
    ("cpu", "cuda", True, "cpu"),
    ("auto", "cuda", True, "cuda"),
])
def test_latency_device_choice(monkeypatch, setting, train, cuda, expected):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    got = latency_device(MeasureConfig(latency_device=setting), torch.device(train))
    assert (got.type if got is not None else None) == expected


def test_latency_on_missing_cuda_is_unavailable_with_reason(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    ms = latency_and_fps(conv_net(), 3, (8, 8), MeasureConfig(latency_device="cuda"), CPU)
    assert [m.value for m in ms] == [None, None]
    assert all("CUDA" in m.unavailable for m in ms)


# -- memory -----------------------------------------------------------------------------------

def test_peak_memory_is_stored_tensors_plus_live_activations_and_says_so(tmp_path):
    m = trusted(conv_net(), (3, 8, 8), 10, tmp_path)["peak_memory_bytes"]
    assert m.method["stored_bytes"] == 4 * (8 * 27 + 8 + 512 * 10 + 10)  # float32 weights
    # at least the input batch of the FPS pass (2 images, float32) is live at once
    assert m.method["activation_bytes"] >= 2 * 3 * 8 * 8 * 4
    assert m.value == m.method["stored_bytes"] + m.method["activation_bytes"]
    assert "stored tensors" in m.method["scope"] and "activations" in m.method["scope"]


# -- energy: pure conversion ------------------------------------------------------------------

@pytest.mark.parametrize(("kwh", "seconds", "g_per_kwh", "watts", "kg"), [
    (1.0, 3600.0, 500.0, 1000.0, 0.5),  # 1 kWh in an hour is 1 kW
    (1e-3, 36.0, 400.0, 100.0, 4e-4),  # 3600 J in 36 s = 100 W
    (2e-6, 0.72, None, 10.0, None),  # 7.2 J in 0.72 s; no intensity -> no CO2
    (5e-6, 0.0, 100.0, None, 5e-7),  # no duration -> no power
])
def test_energy_figures(kwh, seconds, g_per_kwh, watts, kg):
    fig = energy_figures(kwh, seconds, g_per_kwh)
    assert fig.energy_kwh == kwh
    assert (fig.avg_power_w is None) == (watts is None)
    assert (fig.co2_kg is None) == (kg is None)
    if watts is not None:
        assert math.isclose(fig.avg_power_w, watts, rel_tol=1e-12)
    if kg is not None:
        assert math.isclose(fig.co2_kg, kg, rel_tol=1e-12)


@pytest.mark.parametrize(("samples", "joules"), [
    ([], 0.0),
    ([(0.0, 100.0)], 0.0),
    ([(0.0, 100.0), (1.0, 100.0)], 100.0),
    ([(0.0, 0.0), (2.0, 100.0), (3.0, 100.0)], 100.0 + 100.0),
])
def test_integrate_power_trapezoid(samples, joules):
    assert math.isclose(integrate_power(samples), joules)


# -- energy: the real tracker -----------------------------------------------------------------

@pytest.mark.slow  # codecarbon's hardware detection takes ~2 s
def test_energy_tracker_measures_or_explains(tmp_path, monkeypatch):
    def no_network(*a, **k):
        raise AssertionError(f"energy tracking tried to open a connection: {a!r}")
    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.chdir(tmp_path)  # codecarbon's default output dir is the cwd
    with EnergyTracker(MeasureConfig(), CPU) as tracker:
        x = torch.randn(200, 200)
        end = time.perf_counter() + 0.5
        while time.perf_counter() < end:
            x = torch.tanh(x @ x)
    ms = {m.name: m for m in tracker.measurements()}
    assert set(ms) == {"train_energy_kwh", "avg_power_w", "co2_kg"}
    for m in ms.values():
        assert (m.value is not None and m.value > 0 and m.method["source"]) or \
            (m.value is None and m.unavailable), m
    e = ms["train_energy_kwh"]
    if e.value is not None:
        assert "codecarbon" in e.method["source"] and "cpu=" in e.method["source"]
        assert math.isclose(ms["avg_power_w"].value,
                            e.value * 3.6e6 / e.method["duration_s"], rel_tol=0.01)
    assert e.method["tracker_startup_s"] >= 0
    assert os.listdir(tmp_path) == []  # no emissions.csv, no lock file


def test_energy_tracker_disabled_is_unavailable_not_zero():
    with EnergyTracker(MeasureConfig(energy=False), CPU) as tracker:
        pass
    ms = tracker.measurements()
    assert len(ms) == 3
    assert all(m.value is None and "disabled" in m.unavailable for m in ms)


def test_energy_tracker_failure_is_unavailable_with_reason(monkeypatch):
    import lemonade.measure.energy as energy

    def broken(cfg):
        raise RuntimeError("no power source")
    monkeypatch.setattr(energy, "_make_tracker", broken)
    with EnergyTracker(MeasureConfig(), CPU) as tracker:
        pass
    assert all(m.value is None and "no power source" in m.unavailable
               for m in tracker.measurements())


# -- every metric: the measurement process's and the host's ----------------------------------

def test_the_trusted_path_gathers_every_metric(tmp_path):
    from lemonade.measure import ENERGY_METRICS
    from lemonade.metrics import unavailable
    from lemonade.sandbox.host_measure import train_metrics

    ms = trusted(conv_net(), (3, 8, 8), 10, tmp_path)
    not_measured = [unavailable(n, "energy not measured for this evaluation")
                    for n in ENERGY_METRICS]  # what a disabled host tracker gives
    host = train_metrics(1.5, 1.2, {"train": {"status": "ok", "epochs_run": 1,
                                               "loop_seconds": 1.0, "train_accuracy": 0.4}},
                         not_measured)
    assert set(ms) | set(host) == set(METRICS)
    assert ms["flops"].value == 2 * 512 * 27 + 2 * 512 * 10 + 512
    assert host["train_seconds"].value == 1.5
    assert 0.0 <= ms["val_accuracy"].value <= 1.0 and 0.0 <= ms["test_accuracy"].value <= 1.0
    assert host["train_energy_kwh"].value is None and host["train_energy_kwh"].unavailable


def test_a_raising_metric_becomes_unavailable_and_the_others_survive(tmp_path, monkeypatch):
    import lemonade.measure.program as program

    def boom(*a, **k):
        raise RuntimeError("latency timer exploded")
    monkeypatch.setattr(program, "latency_for_runtime", boom)
    ms = trusted(conv_net(), (3, 8, 8), 10, tmp_path)
    lat = ms["latency_ms"]
    assert lat.value is None and "latency timer exploded" in (lat.unavailable or "")
    assert ms["params"].value == 8 * 27 + 8 + 512 * 10 + 10  # the others survive
    assert ms["flops"].value > 0


def test_one_accuracy_definition_for_tensors_and_arrays():
    from lemonade.metrics import top1_accuracy, top1_hits

    logits = torch.tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
    labels = torch.tensor([1, 0, 0, 0])
    assert int(top1_hits(logits, labels)) == 3
    assert top1_accuracy(logits, labels) == 0.75
    assert top1_accuracy(logits.numpy(), labels.numpy()) == 0.75  # onnxruntime's outputs
    with pytest.raises(ValueError):
        top1_accuracy(logits[:0], labels[:0])
