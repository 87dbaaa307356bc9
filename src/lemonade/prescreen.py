"""Cheap metrics first: a candidate far over a cost threshold goes back before it trains.

A model's params and FLOPs per image are known before its first training step: the training
worker counts them on the untrained model and reports them (its `cost` event) before training.
When one of them misses a `min` objective's threshold by more than `budget.prescreen_factor`
(e.g. params at 3x the threshold), the host stops the worker at once and the candidate is
recorded as failed with the figures, so the proposer repairs it (one repair) instead of spending
a training budget on a model that cannot be feasible.

Those figures come from the candidate's own process, so they are display-only in the sense of
docs/security.md: they decide whether to *spend* training time, never how a candidate ranks. A
candidate that under-reports merely trains and is then measured (and ranked) by the trusted
process like any other; one that over-reports only sends itself back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from lemonade.config import Objective
from lemonade.objectives import format_value

# what the training worker reports of the untrained model (lemonade.sandbox.worker)
PRESCREEN_METRICS = ("params", "flops")


def prescreen_limits(objectives: Sequence[Objective], factor: float | None
                     ) -> dict[str, tuple[float, float]]:
    """{metric: (threshold, limit)} for the `min` objectives known before training; the limit
    is factor x threshold. Empty when prescreening is off (factor None)."""
    if factor is None:
        return {}
    out: dict[str, tuple[float, float]] = {}
    for o in objectives:
        if o.goal == "min" and o.metric in PRESCREEN_METRICS:
            t = min(o.threshold, out.get(o.metric, (o.threshold, 0.0))[0])
            out[o.metric] = (t, factor * t)
    return out


def prescreen(figures: Mapping[str, object], limits: Mapping[str, tuple[float, float]],
              factor: float | None) -> str | None:
    """Why the untrained model is sent back (a sentence with its figures), or None."""
    over = []
    for metric, (threshold, limit) in limits.items():
        v = figures.get(metric)
        if isinstance(v, int | float) and not isinstance(v, bool) and v > limit:
            over.append(f"{metric} {format_value(metric, float(v))} is {v / threshold:.1f}x "
                        f"its threshold {format_value(metric, threshold)}")
    if not over:
        return None
    return (f"prescreened before training: {'; '.join(over)} (more than "
            f"budget.prescreen_factor = {factor:g}x); make the model smaller")
