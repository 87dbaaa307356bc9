"""Metrics of one trained candidate: one function per metric, and `measure_model` gathering them.

Every metric comes back as a `Measurement` that says how it was obtained; a metric that raises
becomes `unavailable` with the exception text, so one bad metric never loses the others.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import torch
from torch import nn

from lemonade.config import MeasureConfig
from lemonade.measure.energy import ENERGY_METRICS, EnergyFigures, EnergyTracker, energy_figures
from lemonade.measure.flops import count_flops
from lemonade.measure.inference_energy import INFERENCE_METRICS, inference_energy_at
from lemonade.measure.latency import latency_and_fps, latency_for_runtime
from lemonade.measure.memory import peak_memory, reset_peak_memory
from lemonade.measure.size import count_params, model_size_bytes
from lemonade.metrics import INT8_METRICS, PARITY_METRICS, Measurement, measured, unavailable

if TYPE_CHECKING:  # only for annotations: measure must import without the trainer
    from lemonade.data import Dataset
    from lemonade.train import TrainResult

__all__ = [
    "ENERGY_METRICS", "EnergyFigures", "EnergyTracker", "count_flops", "count_params",
    "energy_figures", "latency_and_fps", "measure_model", "model_size_bytes", "peak_memory",
    "reset_peak_memory", "safely", "static_metrics",
]


def safely(names: tuple[str, ...], fn: Callable[[], Measurement | list[Measurement]]
           ) -> list[Measurement]:
    """Run one metric function; any exception turns its metrics into `unavailable`."""
    try:
        out = fn()
    except Exception as e:
        reason = f"measurement failed: {type(e).__name__}: {e}".strip()
        return [unavailable(n, reason[:500]) for n in names]
    return [out] if isinstance(out, Measurement) else list(out)


def static_metrics(model: nn.Module, in_channels: int, image_size: tuple[int, int]
                   ) -> dict[str, Measurement]:
    """Metrics of the architecture alone (no training needed): params, size, FLOPs."""
    ms: list[Measurement] = []
    ms += safely(("params",), lambda: count_params(model))
    ms += safely(("model_size_bytes",), lambda: model_size_bytes(model))
    ms += safely(("flops",), lambda: count_flops(model, in_channels, image_size))
    return {m.name: m for m in ms}


def _test_accuracy(model: nn.Module, data: Dataset, device: torch.device) -> Measurement:
    from lemonade.train import evaluate_accuracy

    acc = evaluate_accuracy(model, data.x_test, data.y_test, data.mean, data.std, device)
    return measured("test_accuracy", acc, split="test", n=int(data.y_test.shape[0]),
                    device=str(device), mode="eval, final weights")


def _train_metrics(train: TrainResult | None) -> list[Measurement]:
    if train is None:
        return [unavailable(n, "not trained")
                for n in ("train_seconds", "train_accuracy", "val_accuracy")]
    src: dict[str, object] = {"source": "training loop", "epochs_run": train.epochs_run,
                              "status": train.status}
    if getattr(train, "notes", None):
        src["notes"] = list(train.notes)
    out = [measured("train_seconds", train.train_seconds, **src,
                    scope="training loop wall time (excludes build, measurement, energy "
                          "tracker start-up)")]
    for name in ("train_accuracy", "val_accuracy"):
        v = getattr(train, name)
        if v is None or train.status == "diverged":
            why = f"training {train.status}: {train.reason}" if train.status == "diverged" \
                else "not reported by the training loop"
            out.append(unavailable(name, why, **src))
        else:
            what = ("last epoch, on the augmented training batches seen"
                    if name == "train_accuracy"
                    else "after the last epoch, on the validation split")
            out.append(measured(name, v, **src, measured_on=what))
    return out


def measure_model(model: nn.Module, data: Dataset, train: TrainResult | None,
                  cfg: MeasureConfig, device: torch.device,
                  energy: list[Measurement] | None) -> dict[str, Measurement]:
    """All metrics of a trained model (`train=None`: an untrained one, accuracies unavailable).

    The peak memory is read first: later measurements (test pass, FPS batch) allocate too.
    """
    device = torch.device(device)
    ms: list[Measurement] = []
    ms += safely(("peak_memory_bytes",), lambda: peak_memory(device))
    ms += list(static_metrics(model, data.channels, data.image_size).values())
    ms += safely(("latency_ms", "fps"), lambda: latency_for_runtime(
        model, data.channels, data.image_size, cfg, device))
    ms += safely(INFERENCE_METRICS, lambda: inference_energy_at(
        model, data.channels, data.image_size, cfg, device))
    ms += safely(("train_seconds", "train_accuracy", "val_accuracy"),
                 lambda: _train_metrics(train))
    if train is None or train.status == "diverged":
        why = "not trained" if train is None else f"training diverged: {train.reason}"
        ms.append(unavailable("test_accuracy", why))
    else:
        ms += safely(("test_accuracy",), lambda: _test_accuracy(model, data, device))
    if energy is None:
        ms += [unavailable(n, "energy not measured for this evaluation") for n in ENERGY_METRICS]
    else:
        ms += energy
    why = "measured by the trusted measurement process only (from the exported graph)"
    ms += [unavailable(n, why) for n in (*INT8_METRICS, *PARITY_METRICS)]
    return {m.name: m for m in ms}
