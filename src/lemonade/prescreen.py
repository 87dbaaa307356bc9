"""Cheap metrics first: a candidate far over a cost threshold goes back before it trains.

A model's params, FLOPs per image and serialized size (and, roughly, its latency) are known
before its first training step: the training worker measures them on the untrained model and
reports them (its `cost` event) before training. The rule: when one of the figures named in
`budget.prescreen_metrics` (default params, flops, model_size_bytes; latency_ms is opt-in)
misses a `min` objective's threshold by more than `budget.prescreen_factor` (default 3: e.g.
params at 3x the threshold), the host stops the worker at once and the candidate is recorded as
failed with the figures, so the proposer repairs it (one repair) instead of spending a training
budget on a model that cannot be feasible. `describe_rule` states the rule for the report.

Why latency is opt-in: the worker times 5 batch-1 forwards on one thread in its own process, on
a machine that may be training other candidates, so the figure can be several times the trusted
one (measured later, alone, on the exported program); a figure inflated past the factor sends a
feasible model back. Params, FLOPs and size do not depend on the load.

Those figures come from the candidate's own process, so they are display-only in the sense of
docs/security.md: they decide whether to *spend* training time, never how a candidate ranks. A
candidate that under-reports merely trains and is then measured (and ranked) by the trusted
process like any other; one that over-reports only sends itself back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from lemonade.config import Objective
from lemonade.objectives import format_value

# what the training worker can report of the untrained model (lemonade.sandbox.worker)
PRESCREEN_METRICS = ("params", "flops", "model_size_bytes", "latency_ms")
# what the prescreen compares unless budget.prescreen_metrics says otherwise
DEFAULT_PRESCREEN_METRICS = ("params", "flops", "model_size_bytes")


def prescreen_limits(objectives: Sequence[Objective], factor: float | None,
                     metrics: Sequence[str] = DEFAULT_PRESCREEN_METRICS
                     ) -> dict[str, tuple[float, float]]:
    """{metric: (threshold, limit)} for the `min` objectives on `metrics` (those known before
    training); the limit is factor x threshold. Empty when prescreening is off (factor None)."""
    if factor is None:
        return {}
    out: dict[str, tuple[float, float]] = {}
    for o in objectives:
        if o.goal == "min" and o.metric in PRESCREEN_METRICS and o.metric in metrics:
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


def describe_rule(factor: float | None, metrics: Sequence[str] | None,
                  objectives: Sequence[Objective] = ()) -> str:
    """The prescreen rule in one paragraph, with the limits it sets for these objectives."""
    if factor is None:
        return ("Prescreen off (budget.prescreen_factor: null): every candidate trains, "
                "whatever its size.")
    metrics = list(metrics) if metrics is not None else list(DEFAULT_PRESCREEN_METRICS)
    limits = prescreen_limits(objectives, factor, metrics)
    applies = ("; here: " + ", ".join(
        f"{m} <= {format_value(m, t)} (sent back above {format_value(m, lim)})"
        for m, (t, lim) in limits.items())) if limits else (
        "; no objective here caps one of them, so nothing is prescreened")
    return (f"Cheap metrics first: {', '.join(metrics)} of the untrained model, as its "
            f"training process reports them before the first step, over {factor:g}x a "
            f"min objective's threshold send it back untrained, as a repair "
            f"(budget.prescreen_factor, budget.prescreen_metrics){applies}. The figures are "
            "the candidate's own (display only): a false one can only make it train; it is "
            "measured and ranked by the trusted process like any other.")
