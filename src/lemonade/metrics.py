"""Metric names (a public contract: keys of metrics.json and what objectives name) and the record
of one measured value.

Every metric says how it was obtained (`method`) so that numbers from different machines are not
compared blindly, and a metric that cannot be measured here is `value=None` with the reason,
never 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

# name -> (unit, goal that makes sense by default)
METRICS: dict[str, tuple[str, str]] = {
    "test_accuracy": ("fraction", "max"),
    "val_accuracy": ("fraction", "max"),
    "train_accuracy": ("fraction", "max"),
    "params": ("count", "min"),
    "model_size_bytes": ("bytes", "min"),
    "flops": ("FLOPs per image", "min"),
    "latency_ms": ("ms", "min"),
    "fps": ("images/s", "max"),
    "train_seconds": ("s", "min"),
    "train_energy_kwh": ("kWh", "min"),
    "avg_power_w": ("W", "min"),
    "co2_kg": ("kg CO2eq", "min"),
    "peak_memory_bytes": ("bytes", "min"),
    # measured over a timed inference loop at the FPS batch size, on the latency device
    "inference_energy_j": ("J per image", "min"),
    "inference_power_w": ("W", "min"),
    # the exported graph quantized to int8 (post-training, static, calibrated on training
    # images) and run in onnxruntime: lemonade.measure.int8
    "int8_val_accuracy": ("fraction", "max"),
    "int8_test_accuracy": ("fraction", "max"),
    "int8_model_size_bytes": ("bytes", "min"),
    "int8_latency_ms": ("ms", "min"),
    # the float ONNX file against the exported torch graph, on the val split
    "onnx_max_abs_diff": ("logit", "min"),
    "onnx_argmax_agreement": ("fraction", "max"),
}
METRIC_NAMES: tuple[str, ...] = tuple(METRICS)
# measured on the test split: reported only, never an objective, never shown to a proposer
TEST_METRICS: tuple[str, ...] = ("test_accuracy", "int8_test_accuracy")
INT8_METRICS: tuple[str, ...] = ("int8_val_accuracy", "int8_test_accuracy",
                                 "int8_model_size_bytes", "int8_latency_ms")
PARITY_METRICS: tuple[str, ...] = ("onnx_max_abs_diff", "onnx_argmax_agreement")


def is_test_metric(name: str) -> bool:
    """Whether `name` is measured on the test split (only reported: the search never sees it)."""
    return name in TEST_METRICS or name.startswith("test_")


def validation_only(values: Any) -> dict[str, float]:
    """{metric: value} without the test split's metrics and without missing values."""
    return {k: float(v) for k, v in (values or {}).items()
            if v is not None and not is_test_metric(k)}


@dataclass(frozen=True)
class Measurement:
    """One metric of one candidate."""

    name: str
    value: float | None
    unit: str = ""
    method: dict[str, Any] = field(default_factory=dict)
    unavailable: str | None = None  # reason, when value is None

    def __post_init__(self) -> None:
        if self.name not in METRICS:
            raise ValueError(f"unknown metric {self.name!r}; known: {', '.join(METRIC_NAMES)}")
        if self.value is None and not self.unavailable:
            raise ValueError(f"metric {self.name!r} has no value and no reason why")

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("name")
        return d

    @classmethod
    def from_json(cls, name: str, d: dict[str, Any]) -> Measurement:
        return cls(
            name=name,
            value=d.get("value"),
            unit=d.get("unit", ""),
            method=d.get("method") or {},
            unavailable=d.get("unavailable"),
        )


def measured(name: str, value: float, **method: Any) -> Measurement:
    return Measurement(name=name, value=float(value), unit=METRICS[name][0], method=method)


def unavailable(name: str, reason: str, **method: Any) -> Measurement:
    return Measurement(name=name, value=None, unit=METRICS[name][0], method=method,
                       unavailable=reason)


def to_json(ms: dict[str, Measurement]) -> dict[str, dict[str, Any]]:
    """The metrics.json document: {metric: {value, unit, method, unavailable}}."""
    return {k: m.to_json() for k, m in ms.items()}


def from_json(doc: dict[str, dict[str, Any]]) -> dict[str, Measurement]:
    return {k: Measurement.from_json(k, v) for k, v in doc.items() if k in METRICS}


def values(ms: Mapping[str, Measurement] | Mapping[str, Any] | None) -> dict[str, float]:
    """Flat {metric: value} of the metrics that have a value: records (`Measurement`) or their
    metrics.json document ({metric: {value, unit, method, ...}}). The one reading of a value:
    a number (never a bool); a missing, unavailable or malformed record is left out."""
    out: dict[str, float] = {}
    for k, m in (ms or {}).items():
        v = m.value if isinstance(m, Measurement) else \
            m.get("value") if isinstance(m, Mapping) else None
        if isinstance(v, int | float) and not isinstance(v, bool):
            out[k] = float(v)
    return out


def top1_hits(logits: Any, labels: Any) -> Any:
    """How many rows of `logits` (N, classes) have their largest value at the row's label: the
    one definition of accuracy's numerator, for torch tensors and numpy arrays alike. The count
    is not converted (a device tensor stays on its device, so a training loop does not wait)."""
    return (logits.argmax(1) == labels).sum()


def top1_accuracy(logits: Any, labels: Any) -> float:
    """Top-1 accuracy: `top1_hits` over the number of labels (every accuracy metric is this)."""
    n = int(labels.shape[0])
    if n == 0:
        raise ValueError("top-1 accuracy of no examples")
    return int(top1_hits(logits, labels)) / n

