"""Objectives, feasibility and the combined score (CME) of a candidate.

Formula (ours, documented in DESIGN.md "Objectives and CME"): for each objective i,

    r_i = log2(value / threshold)   when the goal is max
    r_i = log2(threshold / value)   when the goal is min

clipped to [-1, 1], so r_i = 0 exactly at the threshold, +1 at "twice as good" and -1 at "half as
good". A candidate is feasible when every r_i >= 0, and

    CME = sum(w_i * r_i) / sum(w_i),   w_i = priority_i.

LeMo-NADe (arXiv 2402.18443) defines its own "combined model effectiveness"; its exact equations
are not available to us, so this one is ours and lives here alone, easy to swap. The log ratio
makes the score scale free (params and accuracy are comparable) and symmetric for max/min goals;
the clip keeps one objective far past its threshold from buying off another that is missed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from lemonade.config import Objective

# A missing, non-finite or non-positive value counts as the worst ratio. An objective that was not
# measured (no GPU for energy, a crashed latency run) must never count as met: otherwise a candidate
# could become "feasible" by failing to measure what it is judged on. A value <= 0 has no log ratio
# and, for every metric we have, means a failed measurement (0 params, 0 kWh), not a perfect score.
MISSING_RATIO = -1.0


def _usable(value: float | None) -> bool:
    return value is not None and not math.isnan(value) and value > 0


def raw_ratio(obj: Objective, value: float | None) -> float | None:
    """The unclipped log2 ratio (positive = better than the threshold), or None when unmeasured."""
    if not _usable(value):
        return None
    assert value is not None
    if math.isinf(value):
        return math.inf if obj.goal == "max" else -math.inf
    r = math.log2(value / obj.threshold)
    return r if obj.goal == "max" else -r


def ratio(obj: Objective, value: float | None) -> float:
    """log2 ratio of `value` to the objective's threshold, clipped to [-1, 1]; missing -> -1."""
    r = raw_ratio(obj, value)
    if r is None:
        return MISSING_RATIO
    return max(-1.0, min(1.0, r))


def ratios(objs: Sequence[Objective], metrics: Mapping[str, float] | None) -> dict[str, float]:
    """{metric: clipped ratio} for every objective (objectives are unique per metric)."""
    metrics = metrics or {}
    return {o.metric: ratio(o, metrics.get(o.metric)) for o in objs}


def is_feasible(objs: Sequence[Objective], metrics: Mapping[str, float] | None) -> bool:
    """Every objective met (r >= 0). With no objectives every candidate is feasible."""
    return all(r >= 0 for r in ratios(objs, metrics).values())


def cme(objs: Sequence[Objective], metrics: Mapping[str, float] | None) -> float:
    """Priority-weighted mean of the clipped ratios, in [-1, 1]; 0.0 with no objectives."""
    total = sum(o.priority for o in objs)
    if total <= 0:
        return 0.0
    rs = ratios(objs, metrics)
    return sum(o.priority * rs[o.metric] for o in objs) / total


def rank_key(objs: Sequence[Objective], metrics: Mapping[str, float] | None) -> tuple:
    """Sort key, ascending = best first: feasible first, then CME descending, then fewer params.

    The params tie-break (missing params last) prefers the smaller of two equally scored models.
    """
    metrics = metrics or {}
    params = metrics.get("params")
    p = params if _usable(params) else math.inf
    return (0 if is_feasible(objs, metrics) else 1, -cme(objs, metrics), p)


def _oriented(obj: Objective, value: float) -> float:
    """The value with its sign set so that larger is always better."""
    return value if obj.goal == "max" else -value


def has_all(point: Mapping[str, float], objs: Sequence[Objective]) -> bool:
    """Whether the point has a finite value for every objective's metric."""
    for o in objs:
        v = point.get(o.metric)
        if v is None or not math.isfinite(v):
            return False
    return True


def dominates(a: Mapping[str, float], b: Mapping[str, float], objs: Sequence[Objective]) -> bool:
    """a is at least as good as b on every objective's metric and strictly better on one."""
    strictly = False
    for o in objs:
        va, vb = _oriented(o, a[o.metric]), _oriented(o, b[o.metric])
        if va < vb:
            return False
        if va > vb:
            strictly = True
    return strictly


def pareto_front(points: Sequence[Mapping[str, float]], objs: Sequence[Objective]) -> list[int]:
    """Indices (ascending) of the non-dominated points over the objectives' metrics.

    Raw metric values are compared, not clipped ratios: past the clip, a smaller model is still a
    better trade-off. Points missing any objective's metric are ignored. Equal points are all kept.
    """
    usable = [i for i, p in enumerate(points) if has_all(p, objs)]
    return [i for i in usable
            if not any(dominates(points[j], points[i], objs) for j in usable if j != i)]


def format_value(metric: str, value: float | None) -> str:
    """A metric value for people and prompts: counts with thousands separators, fractions 3 dp."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "unmeasured"
    if metric.endswith("accuracy"):
        return f"{value:.3f}"
    if metric in ("params", "model_size_bytes", "flops", "peak_memory_bytes") or abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def describe_gap(obj: Objective, value: float | None) -> str:
    """How far a value is from the objective's threshold, in the objective's own terms.

    Accuracies as an absolute difference ("0.040 under"), everything else as a factor ("1.7x over").
    """
    if not _usable(value):
        return "unmeasured"
    assert value is not None
    met = ratio(obj, value) >= 0
    if obj.metric.endswith("accuracy"):
        diff = abs(value - obj.threshold)
        side = "over" if value >= obj.threshold else "under"
        return f"{diff:.3f} {side} threshold"
    factor = value / obj.threshold if value >= obj.threshold else obj.threshold / value
    better, worse = ("under", "over") if obj.goal == "min" else ("over", "under")
    side = better if met else worse
    shown = f"{factor:.1f}" if factor < 10 else f"{factor:,.0f}"
    return f"{shown}x {side} threshold"
