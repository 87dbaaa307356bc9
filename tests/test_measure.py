"""Metrics of a model: counts checked against hand-computed values, timings against their method
records, energy against its contract (a positive figure with a source, or a reason; never 0)."""

from __future__ import annotations

import math
import os
import socket
import time
from types import SimpleNamespace

import pytest
import torch
from torch import nn

from lemonade.config import MeasureConfig
from lemonade.measure import (
    EnergyTracker,
    count_flops,
    count_params,
    energy_figures,
    latency_and_fps,
    measure_model,
    model_size_bytes,
    peak_memory,
)
from lemonade.measure.energy import integrate_power
from lemonade.measure.latency import cpu_threads, latency_device
from lemonade.metrics import METRICS

CPU = torch.device("cpu")


def conv_net() -> nn.Module:
    """conv 3->8 k3 pad1 on 8x8, ReLU, flatten, Linear(8*8*8 -> 10)."""
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Flatten(),
                         nn.Linear(8 * 8 * 8, 10))


# -- params and size --------------------------------------------------------------------------

def test_params_counts_all_and_reports_trainable_separately():
    net = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.Linear(3, 2))
    net[2].weight.requires_grad_(False)
    m = count_params(net)
    # Linear(4,3): 12+3, BN(3): 3+3 (running stats are buffers), Linear(3,2): 6+2
    assert m.value == 15 + 6 + 8
    assert m.method["trainable"] == 15 + 6 + 2
    assert m.method["non_trainable"] == 6
    assert m.method["buffers"] == 3 + 3 + 1  # running_mean, running_var, num_batches_tracked


def test_params_counts_a_shared_parameter_once():
    lin = nn.Linear(5, 5)
    assert count_params(nn.Sequential(lin, nn.ReLU(), lin)).value == 30


def test_model_size_is_tensor_bytes_plus_bounded_overhead():
    net = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.Linear(100, 50))
    sd = net.state_dict()
    tensor_bytes = sum(t.numel() * t.element_size() for t in sd.values())
    hand = 4 * (8 * 3 * 9 + 8 + 8 + 8 + 8 + 8 + 100 * 50 + 50) + 8  # float32 + int64 counter
    assert tensor_bytes == hand
    m = model_size_bytes(net)
    # zip container: per-record headers and 64-byte alignment, a few hundred bytes per tensor
    assert hand < m.value < hand + 2048 + 256 * len(sd)
    assert "torch.save" in m.method["tool"]


# -- FLOPs ------------------------------------------------------------------------------------

def test_flops_of_a_known_conv_net_match_the_hand_count():
    conv = 2 * (8 * 8 * 8) * (3 * 3 * 3)  # 2 x output elements x MACs per output
    linear = 2 * (8 * 8 * 8) * 10
    m = count_flops(conv_net(), 3, (8, 8))
    assert m.value == conv + linear
    assert m.method["batch_size"] == 1
    assert "2 FLOPs" in m.method["convention"]


def test_flops_scale_with_image_size_and_restore_train_mode():
    net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4),
                        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 2))
    net.train()
    small = count_flops(net, 1, (8, 8)).value
    big = count_flops(net, 1, (16, 16)).value
    assert net.training  # batch 1 ran in eval mode (BatchNorm) and the mode came back
    linear = 2 * 4 * 2
    assert (big - linear) == 4 * (small - linear)


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

def test_cpu_peak_memory_is_process_rss_and_says_so():
    _ = torch.ones(4 * 1024 * 1024)  # 16 MiB: the process peak is at least this plus torch
    m = peak_memory(CPU)
    assert m.value > 16 * 1024 * 1024
    assert "ru_maxrss" in m.method["tool"] and "whole process" in m.method["scope"]


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


# -- measure_model ----------------------------------------------------------------------------

def _tiny_data(n: int = 16) -> SimpleNamespace:
    """Stands in for lemonade.data.Dataset: the fields measure_model reads."""
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 256, (n, 3, 8, 8), dtype=torch.uint8, generator=g)
    y = torch.randint(0, 10, (n,), generator=g)
    return SimpleNamespace(channels=3, image_size=(8, 8), num_classes=10, x_test=x, y_test=y,
                           mean=(0.5, 0.5, 0.5), std=(0.25, 0.25, 0.25))


def _train_result(status: str = "ok") -> SimpleNamespace:
    return SimpleNamespace(status=status, reason="loss is nan" if status == "diverged" else None,
                           train_seconds=1.5, epochs_run=1, train_accuracy=0.4, val_accuracy=0.3,
                           history=[])


FAST = MeasureConfig(latency_warmup=0, latency_repeats=2, fps_batch_size=2)


def test_measure_model_gathers_every_metric():
    ms = measure_model(conv_net(), _tiny_data(), _train_result(), FAST, CPU, energy=None)
    assert set(ms) == set(METRICS)
    assert ms["flops"].value == 2 * 512 * 27 + 2 * 512 * 10
    assert ms["train_seconds"].value == 1.5 and ms["val_accuracy"].value == 0.3
    assert 0.0 <= ms["test_accuracy"].value <= 1.0
    assert ms["train_energy_kwh"].value is None and ms["train_energy_kwh"].unavailable


def test_measure_model_turns_a_raising_metric_into_unavailable(monkeypatch):
    import lemonade.measure as measure

    def boom(*a, **k):
        raise RuntimeError("flop counter exploded")
    monkeypatch.setattr(measure, "count_flops", boom)
    ms = measure_model(conv_net(), _tiny_data(), None, FAST, CPU, energy=None)
    assert ms["flops"].value is None and "flop counter exploded" in ms["flops"].unavailable
    assert ms["params"].value == 8 * 27 + 8 + 512 * 10 + 10  # the others survive
    assert ms["latency_ms"].value > 0
    assert ms["test_accuracy"].value is None and ms["test_accuracy"].unavailable == "not trained"


def test_measure_model_after_divergence_keeps_static_metrics_only():
    ms = measure_model(conv_net(), _tiny_data(), _train_result("diverged"), FAST, CPU, None)
    assert ms["params"].value is not None and ms["flops"].value is not None
    for name in ("test_accuracy", "val_accuracy", "train_accuracy"):
        assert ms[name].value is None and "diverged" in ms[name].unavailable
