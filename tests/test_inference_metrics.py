"""Inference energy/power (NVML, RAPL, codecarbon paths) and latency in onnxruntime."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import nn

from lemonade import metrics as M
from lemonade.config import MeasureConfig, build_config
from lemonade.measure.inference_energy import (
    INFERENCE_METRICS,
    NvmlMeter,
    RaplMeter,
    default_meters,
    inference_energy_at,
    measure_energy_of,
    measure_inference_energy,
    rapl_delta_uj,
    rapl_domains,
)
from lemonade.measure.latency import (
    latency_and_fps_onnxruntime,
    latency_for_runtime,
    onnx_session,
)

CFG = MeasureConfig(inference_energy_seconds=0.05, latency_warmup=1, latency_repeats=5,
                    fps_batch_size=8)


def _tiny_cnn(c: int = 3, k: int = 4) -> nn.Module:
    return nn.Sequential(nn.Conv2d(c, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, k))


def test_metrics_are_registered_and_can_be_objectives() -> None:
    assert M.METRICS["inference_energy_j"] == ("J per image", "min")
    assert M.METRICS["inference_power_w"] == ("W", "min")
    cfg = build_config({"objectives": [{"metric": "inference_energy_j", "threshold": 0.001},
                                       {"metric": "inference_power_w", "threshold": 5}]})
    got = {o.metric: o.goal for o in cfg.resolved_objectives()}
    assert got["inference_energy_j"] == "min" and got["inference_power_w"] == "min"


# --- NVML, through a fake pynvml module ------------------------------------------------------
class FakeNvml:
    """The few pynvml calls the meter makes, with a scripted energy counter (mJ)."""

    def __init__(self, counter_mj: list[int] | None = None, power_mw: float = 50_000.0) -> None:
        self.counter = list(counter_mj) if counter_mj is not None else None
        self.power_mw = power_mw
        self.calls: list[str] = []

    def nvmlInit(self) -> None:
        self.calls.append("init")

    def nvmlShutdown(self) -> None:
        self.calls.append("shutdown")

    def nvmlDeviceGetHandleByIndex(self, index: int) -> tuple[str, int]:
        self.calls.append(f"handle {index}")
        return ("gpu", index)

    def nvmlDeviceGetTotalEnergyConsumption(self, handle: Any) -> int:
        assert handle == ("gpu", 0)
        if self.counter is None:
            raise RuntimeError("NVML_ERROR_NOT_SUPPORTED")
        return self.counter.pop(0)

    def nvmlDeviceGetPowerUsage(self, handle: Any) -> float:
        return self.power_mw


def _counting_run() -> tuple[list[int], Any]:
    n = [0]

    def run() -> None:
        n[0] += 1
    return n, run


def test_nvml_energy_counter_path_builds_the_metrics() -> None:
    fake = FakeNvml(counter_mj=[1_000_000, 1_007_500])  # 7.5 J over the loop
    meters = default_meters(CFG, torch.device("cuda", 0), nvml=fake)
    assert [name for name, _ in meters] == ["nvml", "rapl", "codecarbon"]
    built = meters[0][1]()
    assert isinstance(built, NvmlMeter) and built.index == 0 and fake.calls == []  # lazy
    n, run = _counting_run()
    out = {m.name: m for m in measure_energy_of(run, 16, CFG, "cpu", meters)}
    e, p = out["inference_energy_j"], out["inference_power_w"]
    assert e.value == pytest.approx(7.5 / (16 * n[0]))
    assert e.method["images"] == 16 * n[0] and e.method["calls"] == n[0]
    assert p.value == pytest.approx(7.5 / e.method["duration_s"], rel=1e-2)
    assert e.method["source"].startswith("nvml total-energy counter") and not e.method["estimate"]
    assert fake.calls == ["init", "handle 0", "shutdown"]


def test_nvml_power_sampling_when_the_counter_is_unsupported() -> None:
    fake = FakeNvml(counter_mj=None, power_mw=40_000.0)  # a constant 40 W
    cfg = CFG.model_copy(update={"inference_energy_seconds": 0.2})
    out = {m.name: m for m in measure_energy_of(
        lambda: None, 4, cfg, "cpu", default_meters(cfg, torch.device("cuda", 0), nvml=fake))}
    p = out["inference_power_w"]
    assert "power sampled" in p.method["source"]
    # the samples span the loop plus the meter's start/stop calls: a little over 40 W
    assert 39.0 < p.value < 48.0
    assert fake.calls[-1] == "shutdown"


# --- RAPL, through a fake powercap tree ------------------------------------------------------
def _zone(root: Path, name: str, label: str, energy: int, max_uj: int) -> Path:
    d = root / name
    d.mkdir(parents=True)
    (d / "name").write_text(label + "\n")
    (d / "max_energy_range_uj").write_text(f"{max_uj}\n")
    (d / "energy_uj").write_text(f"{energy}\n")
    return d


def test_rapl_delta_handles_wraparound() -> None:
    assert rapl_delta_uj(100, 350, 1000) == 250
    assert rapl_delta_uj(990, 15, 1000) == 25


def test_rapl_sums_packages_and_dram_across_a_wrap(tmp_path: Path) -> None:
    pkg = _zone(tmp_path, "intel-rapl:0", "package-0", 995_000, 1_000_000)
    core = _zone(tmp_path, "intel-rapl:0:0", "core", 0, 1_000_000)  # part of the package
    dram = _zone(tmp_path, "intel-rapl:0:1", "dram", 10, 1_000_000)
    broken = tmp_path / "intel-rapl:1"
    broken.mkdir()
    (broken / "name").write_text("package-1\n")  # no counter file: not readable, skipped
    assert [d.name for d in rapl_domains(tmp_path)] == ["package-0", "dram"]

    calls = [0]

    def run() -> None:  # the first forward "uses" 10,000 uJ (package) and 2,500 uJ (DRAM)
        calls[0] += 1
        if calls[0] > 1:
            return
        for zone, step in ((pkg, 10_000), (dram, 2_500), (core, 1)):
            now = int((zone / "energy_uj").read_text())
            (zone / "energy_uj").write_text(f"{(now + step) % 1_000_000}\n")

    meters = [("rapl", lambda: RaplMeter(tmp_path))]
    out = {m.name: m for m in measure_energy_of(run, 10, CFG, "cpu", meters)}
    assert int((pkg / "energy_uj").read_text()) == 5_000  # wrapped past 1,000,000 once
    e = out["inference_energy_j"]
    assert e.method["energy_j"] == pytest.approx(12_500e-6)
    assert e.value == pytest.approx(12_500e-6 / (10 * calls[0]))
    assert e.method["source"].startswith("RAPL package-0+dram") and not e.method["estimate"]


def test_psys_alone_when_present(tmp_path: Path) -> None:
    _zone(tmp_path, "intel-rapl:0", "package-0", 0, 10**9)
    _zone(tmp_path, "intel-rapl:1", "psys", 0, 10**9)
    assert [d.name for d in rapl_domains(tmp_path)] == ["psys"]


@pytest.mark.slow
def test_codecarbon_fallback_is_labelled_an_estimate(tmp_path: Path) -> None:
    cfg = CFG.model_copy(update={"inference_energy_seconds": 1.0})
    out = measure_inference_energy(_tiny_cnn(), torch.randn(8, 3, 8, 8), cfg, "cpu",
                                   meters=default_meters(cfg, torch.device("cpu"),
                                                         rapl_root=tmp_path))
    e = {m.name: m for m in out}["inference_energy_j"]
    assert e.value is not None and e.value > 0, e.unavailable
    assert e.method["estimate"] is True and "estimate" in e.method["source"]
    assert e.method["source"].startswith("codecarbon")
    assert "rapl" in e.method["tried_before"]


class FixedMeter:
    source, estimate = "fixed test meter", False

    def __init__(self, joules: float) -> None:
        self.joules, self.started = joules, False

    def start(self) -> None:
        self.started = True

    def stop(self) -> float:
        assert self.started
        return self.joules


def test_measure_inference_energy_leaves_the_model_alone() -> None:
    model = _tiny_cnn().train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    out = measure_inference_energy(model, torch.randn(8, 3, 8, 8), CFG, "cpu",
                                   meters=[("fixed", lambda: FixedMeter(3.0))])
    e, p = out
    assert (e.name, p.name) == INFERENCE_METRICS
    assert e.value == pytest.approx(3.0 / e.method["images"])
    assert e.method["batch_size"] == 8 and e.method["runtime"] == "torch"
    assert e.method["threads"] == CFG.latency_threads
    assert model.training  # the caller's model is not switched to eval
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_every_meter_failing_gives_the_reasons() -> None:
    def broken() -> Any:
        raise OSError("counter gone")

    out = measure_energy_of(lambda: None, 4, CFG, "cpu", [("a", broken), ("b", broken)])
    assert all(m.value is None for m in out)
    assert "a: OSError: counter gone" in out[0].unavailable
    assert "b: OSError" in out[0].unavailable


def test_disabled_by_config() -> None:
    cfg = CFG.model_copy(update={"inference_energy": False})
    out = measure_energy_of(lambda: None, 4, cfg, "cpu", [("fixed", lambda: FixedMeter(1))])
    assert [m.value for m in out] == [None, None]
    assert "inference_energy: false" in out[0].unavailable


# --- onnxruntime latency ---------------------------------------------------------------------
def test_onnxruntime_latency_and_fps() -> None:
    cfg = CFG.model_copy(update={"latency_threads": 1})
    out = {m.name: m for m in latency_and_fps_onnxruntime(_tiny_cnn(), torch.randn(1, 3, 8, 8),
                                                          cfg)}
    lat, fps = out["latency_ms"], out["fps"]
    assert lat.value is not None and lat.value > 0, lat.unavailable
    assert fps.value is not None and fps.value > 0
    for m in (lat, fps):
        assert m.method["runtime"] == "onnxruntime" and m.method["threads"] == 1
        assert m.method["exporter"] in ("dynamo", "torchscript-onnx")
    assert lat.method["batch_size"] == 1 and fps.method["batch_size"] == cfg.fps_batch_size


def test_onnx_session_uses_the_configured_threads(tmp_path: Path) -> None:
    from lemonade.exporters import export_onnx

    path = tmp_path / "m.onnx"
    export_onnx(_tiny_cnn().eval(), torch.randn(2, 3, 8, 8), path, "torchscript")
    sess = onnx_session(str(path), 2)
    assert sess.get_session_options().intra_op_num_threads == 2
    assert sess.get_providers() == ["CPUExecutionProvider"]


class NotExportable(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.head = nn.Linear(4, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # eigenvalues are complex: no ONNX operator for them in either exporter
        return self.head(torch.linalg.eigvals(x[:, 0, :4, :4]).real)


def test_onnx_export_failure_is_an_unavailable_reason() -> None:
    out = latency_and_fps_onnxruntime(NotExportable(), torch.randn(1, 3, 8, 8), CFG)
    assert [m.value for m in out] == [None, None]
    assert out[0].unavailable.startswith("ONNX export failed")
    assert out[0].method["runtime"] == "onnxruntime"


def test_onnxruntime_missing_is_an_unavailable_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import raises ImportError
    out = latency_and_fps_onnxruntime(_tiny_cnn(), torch.randn(1, 3, 8, 8), CFG)
    assert "onnxruntime is not installed" in out[0].unavailable


def test_runtime_switch_and_the_latency_device() -> None:
    torch_cfg = CFG.model_copy(update={"latency_runtime": "torch"})
    ort_cfg = CFG.model_copy(update={"latency_runtime": "onnxruntime"})
    cpu = torch.device("cpu")
    eager = latency_for_runtime(_tiny_cnn(), 3, (8, 8), torch_cfg, cpu)
    assert eager[0].value is not None and "runtime" not in eager[0].method
    ort = latency_for_runtime(_tiny_cnn(), 3, (8, 8), ort_cfg, cpu)
    assert ort[0].value is not None and ort[0].method["runtime"] == "onnxruntime"
    if not torch.cuda.is_available():
        cuda_cfg = CFG.model_copy(update={"latency_device": "cuda"})
        out = inference_energy_at(_tiny_cnn(), 3, (8, 8), cuda_cfg, cpu)
        assert [m.value for m in out] == [None, None] and "CUDA" in out[0].unavailable


# --- shown where metrics are listed ----------------------------------------------------------
def test_metrics_table_and_report_list_the_inference_metrics(tmp_path: Path) -> None:
    from rich.console import Console

    from lemonade.progress import metrics_table
    from lemonade.report import render_report
    from lemonade.store import Store

    ms = {"inference_energy_j": M.measured("inference_energy_j", 1.5e-4, source="fixed"),
          "inference_power_w": M.measured("inference_power_w", 12.0, source="fixed"),
          "val_accuracy": M.measured("val_accuracy", 0.9)}
    console = Console(record=True, width=200)
    console.print(metrics_table(ms))
    text = console.export_text()
    assert "inference_energy_j" in text and "J per image" in text and "inference_power_w" in text

    store = Store.create(tmp_path / "run", "dataset: {name: digits}\n")
    cid = store.add_candidate(0, None, "class Net: pass", "h", None, "offline")
    store.mark_running(cid)
    store.finish_candidate(cid, "ok", metrics=M.to_json(ms), cme=0.1, feasible=True)
    html = render_report(store)
    store.close()
    assert "inference_energy_j" in html and "inference_power_w" in html


def test_one_nvml_lookup_for_both_energy_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    """Training energy and inference energy find the GPU by the same function: by PCI bus id
    when CUDA can tell it (CUDA_VISIBLE_DEVICES renumbers CUDA's devices, not NVML's)."""
    from lemonade.measure import energy, inference_energy

    assert inference_energy.nvml_handle is energy.nvml_handle
    fake = FakeNvml(counter_mj=None)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert energy.nvml_handle(fake, 1) == ("gpu", 1) and fake.calls == ["handle 1"]

    class Props:
        pci_domain_id, pci_bus_id, pci_device_id = 0, 0x3B, 0

    class ByBus(FakeNvml):
        def nvmlDeviceGetHandleByPciBusId(self, bus: str) -> tuple[str, str]:
            self.calls.append(f"bus {bus}")
            return ("gpu", bus)

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda index: Props())
    by_bus = ByBus(counter_mj=None)
    assert energy.nvml_handle(by_bus, 1) == ("gpu", "00000000:3B:00.0")
    assert by_bus.calls == ["bus 00000000:3B:00.0"]
