"""Inference energy (joules per image) and power (watts) over a timed inference loop.

The model runs forward passes on a batch of the FPS batch size, on the latency device, for at least
`measure.inference_energy_seconds`; an energy meter is read before and after the loop:

1. NVML on a CUDA device: the GPU's cumulative energy counter
   (`nvmlDeviceGetTotalEnergyConsumption`, mJ, Volta and newer), or power samples integrated by
   the trapezoid rule where the counter is not supported. GPU only: the host CPU feeding it is
   not counted.
2. RAPL where the kernel lets this user read it (`/sys/class/powercap/intel-rapl:*/energy_uj`, root
   only on most current kernels): the package (and DRAM) counters, or the platform (psys) counter
   where there is one. They count the whole socket, other processes included. The counters wrap
   at `max_energy_range_uj`; a reading below the start one is taken as one wrap.
3. Otherwise codecarbon's estimate (CPU load x the CPU's TDP, RAM from its size), labelled
   `estimate: true` in the method.

`inference_energy_j` = energy / images processed; `inference_power_w` = energy / loop seconds. A
meter that cannot start or read gives the next one a try; when none works both metrics are
`unavailable` with every reason.
"""

from __future__ import annotations

import contextlib
import copy
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import torch
from torch import nn

from lemonade.config import MeasureConfig
from lemonade.measure.energy import (
    _codecarbon_version,
    _describe_hardware,
    _make_tracker,
    integrate_power,
    nvml_handle,
)
from lemonade.measure.latency import cpu_threads, example_inputs, latency_device
from lemonade.metrics import Measurement, measured, unavailable

INFERENCE_METRICS = ("inference_energy_j", "inference_power_w")
J_PER_KWH = 3.6e6
POWERCAP_ROOT = Path("/sys/class/powercap")
NVML_SAMPLE_SECS = 0.05


class EnergyMeter(Protocol):
    """Reads energy between start() and stop() (joules)."""

    source: str
    estimate: bool

    def start(self) -> None: ...
    def stop(self) -> float: ...


# --- NVML ----------------------------------------------------------------------------------------
class NvmlMeter:
    """GPU energy from NVML. `nvml` is the `pynvml` module (nvidia-ml-py) or an object like it."""

    estimate = False

    def __init__(self, nvml: Any, index: int) -> None:
        self._nv = nvml
        self.index = index
        self.source = "nvml total-energy counter (gpu only)"
        self._handle: Any = None
        self._start_mj: int | None = None
        self._samples: list[tuple[float, float]] = []
        self._halt = threading.Event()
        self._thread: threading.Thread | None = None

    def _find_handle(self) -> Any:
        return nvml_handle(self._nv, self.index)

    def start(self) -> None:
        self._nv.nvmlInit()
        try:
            self._handle = self._find_handle()
            try:
                self._start_mj = int(self._nv.nvmlDeviceGetTotalEnergyConsumption(self._handle))
            except Exception:
                self._start_mj = None
                self.source = (f"nvml power sampled every {NVML_SAMPLE_SECS} s, trapezoid "
                               "(gpu only)")
                self._sample_once()  # fails here, not in the thread, when power is unsupported
                self._thread = threading.Thread(target=self._sample_loop, daemon=True)
                self._thread.start()
        except BaseException:
            self._nv.nvmlShutdown()
            raise

    def _sample_once(self) -> None:
        watts = self._nv.nvmlDeviceGetPowerUsage(self._handle) / 1000.0  # mW
        self._samples.append((time.perf_counter(), float(watts)))

    def _sample_loop(self) -> None:
        while not self._halt.wait(NVML_SAMPLE_SECS):
            self._sample_once()

    def stop(self) -> float:
        try:
            if self._start_mj is not None:
                end = int(self._nv.nvmlDeviceGetTotalEnergyConsumption(self._handle))
                return (end - self._start_mj) / 1000.0
            self._halt.set()
            if self._thread is not None:
                self._thread.join()
            self._sample_once()
            return integrate_power(self._samples)
        finally:
            self._nv.nvmlShutdown()


# --- RAPL ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RaplDomain:
    path: Path  # the domain's folder, holding energy_uj and max_energy_range_uj
    name: str  # package-0, dram, psys, ...
    max_uj: int

    def read_uj(self) -> int:
        return int((self.path / "energy_uj").read_text().strip())


def rapl_domains(root: Path = POWERCAP_ROOT) -> list[RaplDomain]:
    """The readable domains to sum: psys alone if present, else the packages and DRAM.

    Core/uncore sub-domains are parts of their package and are left out (no double counting).
    """
    found: list[RaplDomain] = []
    for d in sorted(root.glob("intel-rapl:*")):
        try:
            name = (d / "name").read_text().strip()
            max_uj = int((d / "max_energy_range_uj").read_text().strip())
            dom = RaplDomain(d, name, max_uj)
            dom.read_uj()  # permission check: energy_uj is often root-only
        except (OSError, ValueError):
            continue
        found.append(dom)
    psys = [d for d in found if d.name.startswith("psys")]
    if psys:
        return psys
    return [d for d in found if d.name.startswith("package") or d.name == "dram"]


def rapl_delta_uj(start: int, end: int, max_uj: int) -> int:
    """Energy between two readings of a counter that wraps to 0 after `max_uj`."""
    return end - start if end >= start else end + (max_uj - start)


class RaplMeter:
    estimate = False

    def __init__(self, root: Path = POWERCAP_ROOT) -> None:
        self.domains = rapl_domains(root)
        if not self.domains:
            raise OSError(f"no readable RAPL counters under {root}")
        names = "+".join(d.name for d in self.domains)
        self.source = f"RAPL {names} (whole socket, other processes included)"
        self._start: list[int] = []

    def start(self) -> None:
        self._start = [d.read_uj() for d in self.domains]

    def stop(self) -> float:
        end = [d.read_uj() for d in self.domains]
        uj = sum(rapl_delta_uj(s, e, d.max_uj)
                 for s, e, d in zip(self._start, end, self.domains, strict=True))
        return uj / 1e6


# --- codecarbon ----------------------------------------------------------------------------------
class CodecarbonMeter:
    """codecarbon's offline tracker in process mode: an estimate on most machines."""

    estimate = True

    def __init__(self, cfg: MeasureConfig, device: torch.device) -> None:
        self.cfg = cfg
        self.device = device
        self.source = "codecarbon estimate"
        self._tracker: Any = None

    def start(self) -> None:
        self._tracker = _make_tracker(self.cfg)
        self._tracker.start()

    def stop(self) -> float:
        self._tracker.stop()
        d = getattr(self._tracker, "final_emissions_data", None)
        if d is None:
            raise RuntimeError("codecarbon produced no data (its start failed)")
        hw = _describe_hardware(self._tracker)
        kwh = float(d.cpu_energy) + float(d.ram_energy)
        gpu = "not counted"
        if self.device.type == "cuda":
            kwh += float(d.gpu_energy)
            gpu = "codecarbon"
        self.source = (f"codecarbon {_codecarbon_version()} estimate ({d.tracking_mode} mode): "
                       f"cpu={hw['cpu']}, ram={hw['ram']}, gpu={gpu}")
        return kwh * J_PER_KWH


# --- the loop ------------------------------------------------------------------------------------
MeterFactories = list[tuple[str, Callable[[], EnergyMeter]]]


def default_meters(cfg: MeasureConfig, device: torch.device, *, nvml: Any = None,
                   rapl_root: Path = POWERCAP_ROOT) -> MeterFactories:
    """(name, factory) of the meters tried on `device`, in order."""
    choice: MeterFactories = []
    if device.type == "cuda":
        def make_nvml() -> EnergyMeter:
            mod: Any = nvml
            if mod is None:
                import pynvml  # nvidia-ml-py

                mod = pynvml
            index = device.index if device.index is not None else torch.cuda.current_device()
            return NvmlMeter(mod, index)
        choice.append(("nvml", make_nvml))
    choice.append(("rapl", lambda: RaplMeter(rapl_root)))
    choice.append(("codecarbon", lambda: CodecarbonMeter(cfg, device)))
    return choice


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def timed_energy(run: Callable[[], object], images_per_call: int, min_seconds: float,
                 meter: EnergyMeter, device: torch.device) -> tuple[float, int, float, int]:
    """Run `run` repeatedly for >= min_seconds between meter.start() and meter.stop().

    Returns (joules, images, seconds, calls)."""
    meter.start()
    try:
        _sync(device)
        t0 = time.perf_counter()
        calls = 0
        while True:
            run()
            calls += 1
            if calls % 4 == 0 or device.type != "cuda":
                _sync(device)
                if time.perf_counter() - t0 >= min_seconds:
                    break
        _sync(device)
        seconds = time.perf_counter() - t0
    except BaseException:
        with contextlib.suppress(Exception):
            meter.stop()
        raise
    joules = meter.stop()
    return joules, calls * images_per_call, seconds, calls


def energy_measurements(joules: float, images: int, seconds: float,
                        method: dict[str, Any]) -> list[Measurement]:
    """The two metrics from one loop's figures (unavailable when the reading is not usable)."""
    if not joules > 0 or images <= 0 or seconds <= 0:
        why = f"no usable energy reading ({joules:.3g} J over {seconds:.3g} s, {images} images)"
        return [unavailable(n, why, **method) for n in INFERENCE_METRICS]
    return [
        measured("inference_energy_j", joules / images, statistic="energy / images",
                 energy_j=joules, **method),
        measured("inference_power_w", joules / seconds, statistic="energy / loop seconds",
                 energy_j=joules, **method),
    ]


def measure_energy_of(run: Callable[[], object], images_per_call: int, cfg: MeasureConfig,
                      device: torch.device | str, meters: MeterFactories | None = None,
                      **method: Any) -> list[Measurement]:
    """Inference energy/power of any forward function (torch, onnxruntime...), meters in order."""
    device = torch.device(device)
    if not cfg.inference_energy:
        why = ("inference energy not measured (measure.inference_energy: false, or auto in a "
               "search with no objective or rule on it; evaluate and finalize measure it)")
        return [unavailable(n, why) for n in INFERENCE_METRICS]
    meters = meters or default_meters(cfg, device)
    errors: list[str] = []
    for name, make in meters:
        try:
            meter = make()
            joules, images, seconds, calls = timed_energy(
                run, images_per_call, cfg.inference_energy_seconds, meter, device)
        except Exception as e:
            errors.append(f"{name}: {type(e).__name__}: {str(e).strip()[:200]}")
            continue
        info = {"source": meter.source, "estimate": bool(meter.estimate),
                "device": str(device), "batch_size": images_per_call, "images": images,
                "calls": calls, "duration_s": round(seconds, 4), **method}
        if errors:
            info["tried_before"] = "; ".join(errors)
        return energy_measurements(joules, images, seconds, info)
    why = "no energy meter worked: " + "; ".join(errors)
    return [unavailable(n, why[:500], device=str(device)) for n in INFERENCE_METRICS]


def measure_inference_energy(model: nn.Module, example_batch: torch.Tensor, cfg: MeasureConfig,
                             device: torch.device | str, *, meters: MeterFactories | None = None
                             ) -> list[Measurement]:
    """`inference_energy_j` and `inference_power_w` of `model` on `example_batch` (a float
    (B, C, H, W) batch, B = the FPS batch size) on `device` (the latency device).

    The caller's model is not moved or switched to eval: a copy is. `meters` overrides the
    meters tried (tests pass a fake NVML or a fake powercap tree)."""
    device = torch.device(device)
    net = copy.deepcopy(model).to(device).eval()
    x = example_batch.to(device)
    threads = cfg.latency_threads if device.type == "cpu" else None
    with cpu_threads(threads) as used, torch.inference_mode():
        for _ in range(max(1, cfg.latency_warmup)):
            net(x)
        _sync(device)
        return measure_energy_of(lambda: net(x), int(x.shape[0]), cfg, device, meters,
                                 runtime="torch", mode="eval, torch.inference_mode, float32",
                                 threads=used if device.type == "cpu" else None,
                                 input_shape=list(x.shape[1:]))


def inference_energy_at(model: nn.Module, in_channels: int, image_size: tuple[int, int],
                        cfg: MeasureConfig, train_device: torch.device | str,
                        images: torch.Tensor | None = None) -> list[Measurement]:
    """`measure_inference_energy` on the latency device with a random batch of the FPS batch
    size (the same arguments as `latency_and_fps`)."""
    device = latency_device(cfg, torch.device(train_device))
    if device is None:
        why = f"measure.latency_device is {cfg.latency_device!r} but CUDA is not available here"
        return [unavailable(n, why) for n in INFERENCE_METRICS]
    x = example_inputs(in_channels, image_size, cfg.fps_batch_size, images)[1]
    return measure_inference_energy(model, x, cfg, device)
