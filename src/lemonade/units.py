"""Metric values in the units a person reads: 4.8k params, 1.23 ms, 96.9%, 18.3 KB.

Formatting follows the metric's unit (`lemonade.metrics.METRICS`), so a metric added there later
(an int8 accuracy, a size in bytes) is shown right without a change here. For display only: the
stores, metrics.json and prompts keep the exact numbers.
"""

from __future__ import annotations

import math
from typing import Any

from lemonade.metrics import METRICS

_SI = (("G", 1e9), ("M", 1e6), ("k", 1e3))
_BYTES = (("GB", 1e9), ("MB", 1e6), ("KB", 1e3))


def _sig(v: float, digits: int = 3) -> str:
    """`v` to `digits` significant figures, without an exponent for everyday magnitudes."""
    if v == 0:
        return "0"
    if abs(v) >= 10 ** digits:
        return f"{v:,.0f}"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(v))))
    if decimals > 6:
        return f"{v:.{digits - 1}e}"
    text = f"{v:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _scaled(v: float, steps: tuple[tuple[str, float], ...], unit: str = "") -> str:
    """`v` with the largest SI-style suffix it reaches: 4800 -> "4.8k" + unit."""
    for suffix, div in steps:
        if abs(v) >= div:
            return f"{_sig(v / div)}{suffix}{unit}"
    return f"{_sig(v)}{unit}"


def unit_of(metric: str) -> str:
    return METRICS.get(metric, ("", ""))[0]


def human(metric: str, value: Any) -> str:
    """`value` of `metric` for people ("–" when there is none)."""
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return "–"
    v = float(value)
    if not math.isfinite(v):
        return str(v)
    unit = unit_of(metric)
    if unit == "fraction" or (not unit and metric.endswith("accuracy")):
        return f"{100 * v:.1f}%"
    if unit == "count":
        return _scaled(v, _SI)
    if unit == "bytes":
        return next((f"{_sig(v / d)} {s}" for s, d in _BYTES if abs(v) >= d), f"{v:.0f} B")
    if unit == "FLOPs per image":
        return _scaled(v, _SI, " FLOPs")
    if unit == "images/s":
        return _scaled(v, _SI, " img/s")
    if unit == "ms":
        return f"{_sig(v)} s" if v >= 1000 else (f"{_sig(v * 1000)} µs" if 0 < v < 0.1
                                                 else f"{_sig(v)} ms")
    if unit == "s":
        return f"{_sig(v / 60)} min" if v >= 120 else f"{_sig(v)} s"
    if unit == "kWh":
        wh = v * 1000
        return f"{_sig(v)} kWh" if v >= 1 else (f"{_sig(wh)} Wh" if wh >= 0.1
                                                else f"{_sig(wh * 3600)} J")
    if unit == "J per image":
        return f"{_sig(v)} J" if v >= 1 else (f"{_sig(v * 1e3)} mJ" if v >= 1e-3
                                              else f"{_sig(v * 1e6)} µJ")
    if unit == "kg CO2eq":
        return f"{_sig(v)} kg CO2eq" if v >= 1 else f"{_sig(v * 1e3)} g CO2eq"
    if unit == "W":
        return f"{_sig(v)} W"
    return f"{_sig(v)} {unit}".strip()


def change(metric: str, old: Any, new: Any) -> str:
    """The change from `old` to `new`, in the metric's terms: accuracy in points, the rest as a
    signed relative change ("+1.5 pts", "-23%"); "–" when either is missing."""
    if not all(isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)
               for x in (old, new)):
        return "–"
    if unit_of(metric) == "fraction" or metric.endswith("accuracy"):
        return f"{100 * (new - old):+.1f} pts"
    if old == 0:
        return "new" if new else "±0"
    pct = 100 * (new - old) / abs(old)
    return f"{pct:+.0f}%" if abs(pct) >= 10 else f"{pct:+.1f}%"
