"""The trusted measurement's metric functions (they run in the measurement process, on the
exported graph: lemonade.measure.program gathers them), and `safely`, which turns a metric that
raises into `unavailable`, so one bad metric never loses the others.

Every metric comes back as a `Measurement` that says how it was obtained. The host measures
training time and energy itself (lemonade.sandbox.host_measure, `EnergyTracker`).
"""

from __future__ import annotations

from collections.abc import Callable

from lemonade.measure.energy import ENERGY_METRICS, EnergyFigures, EnergyTracker, energy_figures
from lemonade.measure.latency import latency_and_fps
from lemonade.metrics import Measurement, unavailable

__all__ = [
    "ENERGY_METRICS", "EnergyFigures", "EnergyTracker", "energy_figures", "latency_and_fps",
    "safely",
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
