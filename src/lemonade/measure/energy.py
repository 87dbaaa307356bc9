"""Training energy, average power and CO2, around the training loop.

CPU and RAM energy come from codecarbon's `OfflineEmissionsTracker` (no network: offline grid
data for `country_iso_code`, no output files, no API). On CUDA the GPU's energy is read from NVML's
cumulative counter (`nvmlDeviceGetTotalEnergyConsumption`, mJ, Volta and newer), or, where that is
not supported, by integrating `nvmlDeviceGetPowerUsage` samples. What codecarbon actually used
(RAPL, CPU load x TDP, a constant) is recorded in `method`, since the figures differ a lot in
quality. A tracker that fails or measures nothing gives `unavailable`, never 0.

Cost: codecarbon's start-up detects the hardware (py-cpuinfo in a subprocess, its TDP table with
pandas), about 1.5-2 s on a loaded 2-core machine; it runs once per worker process, i.e. per
candidate, so `startup_s` and `shutdown_s` are recorded in `method` too.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import torch

from lemonade.config import MeasureConfig
from lemonade.metrics import Measurement, measured, unavailable

ENERGY_METRICS = ("train_energy_kwh", "avg_power_w", "co2_kg")
J_PER_KWH = 3.6e6
MEASURE_POWER_SECS = 1.0  # codecarbon's sampling period; its default (15 s) misses short runs
NVML_SAMPLE_SECS = 0.1  # power sampling period when the energy counter is not supported


@dataclass(frozen=True)
class EnergyFigures:
    energy_kwh: float
    avg_power_w: float | None  # None when the duration is not positive
    co2_kg: float | None  # None when no grid intensity is known


def energy_figures(energy_kwh: float, duration_s: float,
                   intensity_g_per_kwh: float | None) -> EnergyFigures:
    """kWh -> average watts over `duration_s`, and kg CO2eq at `intensity_g_per_kwh`."""
    power = energy_kwh * J_PER_KWH / duration_s if duration_s > 0 else None
    co2 = energy_kwh * intensity_g_per_kwh / 1000.0 if intensity_g_per_kwh is not None else None
    return EnergyFigures(energy_kwh, power, co2)


def integrate_power(samples: list[tuple[float, float]]) -> float:
    """Joules from (time s, power W) samples, by the trapezoid rule."""
    return sum((t1 - t0) * (w0 + w1) / 2 for (t0, w0), (t1, w1) in itertools.pairwise(samples))


def all_unavailable(reason: str, **method: Any) -> list[Measurement]:
    return [unavailable(name, reason, **method) for name in ENERGY_METRICS]


# --- NVML (GPU) -----------------------------------------------------------------------------

def nvml_handle(nvml: Any, index: int) -> Any:
    """NVML's handle of CUDA device `index`, matched by PCI bus id where CUDA can tell it
    (CUDA_VISIBLE_DEVICES renumbers CUDA's devices, not NVML's), else by index. `nvml` is the
    `pynvml` module (nvidia-ml-py) or an object like it."""
    if torch.cuda.is_available() and hasattr(nvml, "nvmlDeviceGetHandleByPciBusId"):
        try:
            p: Any = torch.cuda.get_device_properties(index)  # pci_* ids: not in the stubs
            bus = f"{p.pci_domain_id:08X}:{p.pci_bus_id:02X}:{p.pci_device_id:02X}.0"
            return nvml.nvmlDeviceGetHandleByPciBusId(bus)
        except Exception:
            pass
    return nvml.nvmlDeviceGetHandleByIndex(index)


class _NvmlEnergy:
    """GPU energy between start() and stop(), in joules, from NVML."""

    def __init__(self, device: torch.device) -> None:
        import pynvml  # nvidia-ml-py

        self._nvml = pynvml
        pynvml.nvmlInit()
        index = device.index if device.index is not None else torch.cuda.current_device()
        self.handle = self._handle(index)
        self.source = "nvml total-energy counter"
        self._start_mj: int | None = None
        self._samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _handle(self, index: int) -> Any:
        return nvml_handle(self._nvml, index)

    def start(self) -> None:
        try:
            self._start_mj = int(self._nvml.nvmlDeviceGetTotalEnergyConsumption(self.handle))
        except Exception:
            self._start_mj = None
            self.source = f"nvml power sampling every {NVML_SAMPLE_SECS} s (trapezoid)"
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()

    def _sample(self) -> None:
        while True:
            watts = self._nvml.nvmlDeviceGetPowerUsage(self.handle) / 1000.0  # mW
            self._samples.append((time.perf_counter(), watts))
            if self._stop.wait(NVML_SAMPLE_SECS):
                return

    def stop(self) -> float:
        try:
            if self._start_mj is not None:
                end = int(self._nvml.nvmlDeviceGetTotalEnergyConsumption(self.handle))
                return (end - self._start_mj) / 1000.0
            self._stop.set()
            if self._thread is not None:
                self._thread.join()
            return integrate_power(self._samples)
        finally:
            self._nvml.nvmlShutdown()


# --- codecarbon (CPU, RAM) ------------------------------------------------------------------

def _make_tracker(cfg: MeasureConfig) -> Any:
    from codecarbon import OfflineEmissionsTracker

    # Its logger is set to INFO at import and the first messages come before `log_level` applies.
    logging.getLogger("codecarbon").setLevel(logging.ERROR)
    tracker = OfflineEmissionsTracker(
        country_iso_code=cfg.country_iso_code,
        project_name="lemonade",
        measure_power_secs=MEASURE_POWER_SECS,
        tracking_mode="process",  # this process's CPU share, not the whole shared machine
        log_level="error",
        output_methods=[],  # no emissions.csv, no API, no logger output
        emissions_endpoint=None,
        electricitymaps_api_token=None,
        force_carbon_intensity_g_co2e_kwh=cfg.grid_intensity_g_per_kwh,
        allow_multiple_runs=True,  # no lock file: parallel workers must not block each other
    )
    # Belt and braces against a token from CODECARBON_* or .codecarbon.config (a network call):
    # the emissions engine reads this attribute lazily, at stop().
    if getattr(tracker, "_electricitymaps_api_token", None):
        tracker._electricitymaps_api_token = None
    return tracker


def _codecarbon_version() -> str:
    import codecarbon

    return str(getattr(codecarbon, "__version__", "?"))


def _describe_hardware(tracker: Any) -> dict[str, str]:
    """What codecarbon measured CPU and RAM with (its private fields; best effort)."""
    out = {"cpu": "unknown", "ram": "unknown"}
    for hw in getattr(tracker, "_hardware", []):
        kind = type(hw).__name__
        if kind == "CPU":
            mode = getattr(hw, "_mode", "?")
            tdp = getattr(hw, "_tdp", None)
            generic = " (generic default, CPU model unknown to codecarbon)" if getattr(
                hw, "_is_generic_tdp", False) else ""
            names = {"intel_rapl": "RAPL", "cpu_load": f"CPU-load x TDP {tdp} W{generic}",
                     "constant": f"TDP-constant {tdp} W{generic}"}
            out["cpu"] = names.get(mode, str(mode))
        elif kind == "RAM":
            forced = getattr(hw, "_force_ram_power", None)
            out["ram"] = (f"forced {forced} W" if forced is not None
                          else "estimate (W per DIMM from process memory)")
    return out


def _shared_key(cfg: MeasureConfig) -> tuple[Any, ...]:
    """The settings a shared tracker is built for."""
    return (cfg.country_iso_code, cfg.grid_intensity_g_per_kwh)


class SharedTrackers:
    """codecarbon trackers shared by every candidate of one host (a
    `lemonade.sandbox.resource.Sandbox` holds one), one per settings, measured task by task
    (`start_task`/`stop_task`): their 1.5-2.5 s hardware detection is paid once, not per
    candidate. Process mode counts this process and all its children (the training worker)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._trackers: dict[tuple[Any, ...], Any] = {}

    def get(self, cfg: MeasureConfig) -> Any:
        """The tracker for `cfg`'s settings, built now when there is none yet."""
        key = _shared_key(cfg)
        with self._lock:
            if key not in self._trackers:
                self._trackers[key] = _make_tracker(cfg)
            return self._trackers[key]

    def prepare(self, cfg: MeasureConfig) -> None:
        """Build the tracker in the background now, so that its hardware detection overlaps
        the workers' start-up instead of delaying the first candidate."""
        if not cfg.energy or _shared_key(cfg) in self._trackers:
            return

        def build() -> None:
            with contextlib.suppress(Exception):  # __enter__ tries again and records the error
                self.get(cfg)

        threading.Thread(target=build, daemon=True, name="lemonade-energy-prepare").start()


class EnergyTracker:
    """Context manager around training; `measurements()` after exit gives the energy metrics.

    With `shared` (the host around a worker process): a tracker of those `SharedTrackers`, one
    task per `with` block, covering this process and its children."""

    def __init__(self, cfg: MeasureConfig, device: torch.device | str,
                 shared: SharedTrackers | None = None) -> None:
        self.cfg = cfg
        self.shared = shared
        self.device = torch.device(device)
        self.startup_s = 0.0
        self.shutdown_s = 0.0
        self.duration_s = 0.0
        self._tracker: Any = None
        self._nvml: _NvmlEnergy | None = None
        self._errors: list[str] = []
        self._data: Any = None
        self._gpu_j: float | None = None
        self._t0 = 0.0

    def __enter__(self) -> EnergyTracker:
        if not self.cfg.energy:
            return self
        t = time.perf_counter()
        try:
            if self.shared is not None:
                self._tracker = self.shared.get(self.cfg)
                self._tracker.start_task()
            else:
                self._tracker = _make_tracker(self.cfg)
                self._tracker.start()
        except Exception as e:
            self._tracker = None
            self._errors.append(f"codecarbon could not start: {type(e).__name__}: {e}")
        if self.device.type == "cuda":
            try:
                self._nvml = _NvmlEnergy(self.device)
                self._nvml.start()
            except Exception as e:
                self._nvml = None
                self._errors.append(f"NVML unavailable: {type(e).__name__}: {e}")
        self._t0 = time.perf_counter()
        self.startup_s = self._t0 - t
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.cfg.energy:
            return
        t = time.perf_counter()
        self.duration_s = t - self._t0
        if self._nvml is not None:
            try:
                self._gpu_j = self._nvml.stop()
            except Exception as e:
                self._errors.append(f"NVML read failed: {type(e).__name__}: {e}")
        if self._tracker is not None:
            try:
                if self.shared is not None:
                    self._data = self._tracker.stop_task()
                else:
                    self._tracker.stop()
                    self._data = getattr(self._tracker, "final_emissions_data", None)
                if self._data is None:
                    # start()/stop() swallow their own exceptions; no data is how failure shows.
                    self._errors.append("codecarbon produced no data (its start failed)")
            except Exception as e:
                self._errors.append(f"codecarbon could not stop: {type(e).__name__}: {e}")
        self.shutdown_s = time.perf_counter() - t

    def measurements(self) -> list[Measurement]:
        if not self.cfg.energy:
            return all_unavailable("energy measurement disabled (measure.energy: false)")
        cost = {"tracker_startup_s": round(self.startup_s, 3),
                "tracker_shutdown_s": round(self.shutdown_s, 3)}
        errors = "; ".join(self._errors)
        d = self._data
        if d is None:
            return all_unavailable(errors or "codecarbon produced no data", **cost)
        hw = _describe_hardware(self._tracker)
        cpu_kwh, ram_kwh = float(d.cpu_energy), float(d.ram_energy)
        if self.device.type == "cuda" and self._gpu_j is not None:
            gpu_kwh, gpu_src = self._gpu_j / J_PER_KWH, self._nvml.source if self._nvml else "nvml"
        elif self.device.type == "cuda":
            gpu_kwh, gpu_src = float(d.gpu_energy), "codecarbon (NVML failed)"
        else:
            # Training ran on the CPU: an idle GPU's draw is not this candidate's cost.
            gpu_kwh, gpu_src = 0.0, "not counted (training on cpu)"
        total = cpu_kwh + ram_kwh + gpu_kwh
        source = (f"codecarbon {_codecarbon_version()} "
                  f"({d.tracking_mode} mode): cpu={hw['cpu']}, ram={hw['ram']}, gpu={gpu_src}")
        if not total > 0:
            return all_unavailable(f"no usable energy reading ({source})"
                                   + (f"; {errors}" if errors else ""), **cost)
        if self.cfg.grid_intensity_g_per_kwh is not None:
            intensity, isrc = self.cfg.grid_intensity_g_per_kwh, "config"
        elif float(d.energy_consumed) > 0:
            # codecarbon's offline figure for the country, applied to our total (incl. NVML GPU).
            intensity = float(d.emissions) / float(d.energy_consumed) * 1000.0
            isrc = f"codecarbon offline data for {self.cfg.country_iso_code}"
        else:
            intensity, isrc = None, "none"
        fig = energy_figures(total, self.duration_s, intensity)
        method = {
            "source": source, "device": str(self.device), "duration_s": round(self.duration_s, 3),
            "cpu_kwh": cpu_kwh, "ram_kwh": ram_kwh, "gpu_kwh": gpu_kwh, **cost,
        }
        if errors:
            method["warnings"] = errors
        out = [measured("train_energy_kwh", fig.energy_kwh, **method)]
        out.append(measured("avg_power_w", fig.avg_power_w, statistic="energy / duration",
                            **method) if fig.avg_power_w is not None
                   else unavailable("avg_power_w", "training duration was 0", **method))
        out.append(measured("co2_kg", fig.co2_kg, grid_intensity_g_per_kwh=intensity,
                            grid_intensity_source=isrc, **method) if fig.co2_kg is not None
                   else unavailable("co2_kg", "no grid intensity known", **method))
        return out
