"""Objectives, feasibility and the combined score (CME) of a candidate.

CME (Combined Model Effectiveness) is lemonade's own formula, written after LeMo-NADe's idea of
one score over several thresholded objectives (arXiv 2402.18443, whose exact equations we do not
reproduce). For each objective i, a *goodness factor* q_i says how many times better than its
threshold the value is (q = 1 at the threshold, q = 2 at "twice as good", q = 0.5 at "half"):

    q = value / threshold                   goal max (fps, ...)
    q = threshold / value                   goal min (params, latency, energy, ...)
    q = (1 - threshold) / (1 - value)       an accuracy, goal max: the ratio on the error rate

and the objective's score is the bounded, strictly increasing map of log2(q) onto (-1, 1)

    r = 1 - 1/q     when q >= 1    (the fraction of the threshold's cost or error removed)
    r = q - 1       when q <  1    (minus the fraction by which it falls short)

i.e. r = sign(x) * (1 - 2^-|x|) with x = log2(q): 0 at the threshold, +/-0.5 at twice as good /
half as good, +/-0.75 at four times. A candidate is feasible when every r >= 0, and

    CME = sum(w_i * r_i) / sum(w_i),   w_i = priority_i.

Why this shape (see docs/score.md for a worked table):
- Accuracy on the error rate: an accuracy cannot pass 1.0, so value/threshold caps its reward at
  log2(1/threshold) (0.23 at 0.85) while a halved cost earns far more; going from 0.97 to 0.99 is
  a 3x cut in errors and must count as such.
- Bounded in (-1, 1): one objective far past its threshold can only add up to its priority's
  share, so it cannot buy off another that is missed (the old hard clip's job).
- Strictly increasing, unlike a hard clip: of two candidates where one is better on one objective
  and equal on the rest, the better one always scores higher (a clip made 0.97 and 0.99 equal).
- Scale free and symmetric for max and min goals; an unmeasured objective scores -1, below any
  measured value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

from lemonade.config import Objective

# A missing, non-finite or non-positive value counts as the worst score. An objective that was not
# measured (no GPU for energy, a crashed latency run) must never count as met: otherwise a candidate
# could become "feasible" by failing to measure what it is judged on. A value <= 0 has no ratio
# and, for every cost metric we have, means a failed measurement (0 params, 0 kWh), not a perfect
# score. The bound is never reached by a measured value, so "unmeasured" ranks below all of them.
MISSING_RATIO = -1.0
# Error rates are floored here, so an accuracy of exactly 1.0 (or a threshold of 1.0) still has a
# finite factor: 1e-6 is far below what any validation split can resolve.
ERROR_FLOOR = 1e-6


def is_accuracy(obj: Objective) -> bool:
    """Whether the objective is a fraction in [0, 1] scored on its error rate (1 - value)."""
    return obj.metric.endswith("accuracy")


def _usable(value: float | None) -> bool:
    return value is not None and not math.isnan(value) and value > 0


def goodness(obj: Objective, value: float | None) -> float | None:
    """How many times better than the threshold the value is (1 = at it), None when unmeasured.

    Accuracies compare error rates: at a 0.85 threshold, 0.95 is a factor 3 (errors 0.15 / 0.05).
    """
    if value is None or math.isnan(value):
        return None
    if is_accuracy(obj):
        if not 0.0 <= value <= 1.0:
            return None
        err, err_t = max(1.0 - value, ERROR_FLOOR), max(1.0 - obj.threshold, ERROR_FLOOR)
        return err_t / err if obj.goal == "max" else err / err_t
    if not _usable(value):
        return None
    if math.isinf(value):
        return math.inf if obj.goal == "max" else 0.0
    return value / obj.threshold if obj.goal == "max" else obj.threshold / value


def raw_ratio(obj: Objective, value: float | None) -> float | None:
    """log2 of the goodness factor (positive = better than the threshold), None when unmeasured.

    Unbounded: 2 ** |raw_ratio| is how many times off its threshold the value is.
    """
    q = goodness(obj, value)
    if q is None:
        return None
    if q == 0.0:
        return -math.inf
    if not math.isfinite(q):
        return math.inf
    if obj.goal == "min" and not is_accuracy(obj):
        return -math.log2(value / obj.threshold)  # type: ignore[operator]  # same float as before
    return math.log2(q)


def bounded(x: float) -> float:
    """The log2 factor x mapped onto (-1, 1): sign(x) * (1 - 2^-|x|), strictly increasing."""
    if math.isinf(x):
        return math.copysign(1.0, x)
    return math.copysign(1.0 - 2.0 ** -abs(x), x)


def ratio(obj: Objective, value: float | None) -> float:
    """The objective's score r in [-1, 1]: >= 0 when met, +0.5 at twice as good; missing -> -1."""
    r = raw_ratio(obj, value)
    return MISSING_RATIO if r is None else bounded(r)


def ratios(objs: Sequence[Objective], metrics: Mapping[str, float] | None) -> dict[str, float]:
    """{metric: score r} for every objective (objectives are unique per metric)."""
    metrics = metrics or {}
    return {o.metric: ratio(o, metrics.get(o.metric)) for o in objs}


def is_feasible(objs: Sequence[Objective], metrics: Mapping[str, float] | None) -> bool:
    """Every objective met (r >= 0). With no objectives every candidate is feasible."""
    return all(r >= 0 for r in ratios(objs, metrics).values())


def _weighted(objs: Sequence[Objective], rs: Mapping[str, float],
              score: Callable[[float], float]) -> float:
    """Priority-weighted mean of `score(r)` over the objectives; 0.0 with no objectives."""
    total = sum(o.priority for o in objs)
    if total <= 0:
        return 0.0
    return sum(o.priority * score(rs[o.metric]) for o in objs) / total


def _identity(r: float) -> float:
    return r


def _miss(r: float) -> float:
    return -min(0.0, r)


def cme(objs: Sequence[Objective], metrics: Mapping[str, float] | None) -> float:
    """Priority-weighted mean of the objectives' scores r, in [-1, 1]; 0.0 with no objectives."""
    return _weighted(objs, ratios(objs, metrics), _identity)


def violation(objs: Sequence[Objective], metrics: Mapping[str, float] | None) -> float:
    """How far the candidate misses its thresholds: the priority-weighted mean of the missed
    objectives' scores (-r where r < 0), in [0, 1]; 0.0 when feasible. Room under a threshold
    that is met does not offset a miss elsewhere."""
    return _weighted(objs, ratios(objs, metrics), _miss)


def rank_key(objs: Sequence[Objective], metrics: Mapping[str, float] | None) -> tuple:
    """Sort key, ascending = best first: feasible first; of the infeasible, the one that misses
    its thresholds by less (`violation`) first; then CME descending, then fewer params.

    The miss comes before CME among infeasible candidates (constraint domination, as in
    constrained multi-objective search): a model far under a size threshold it already meets
    does not outrank one that is closer to the accuracy both miss. The params tie-break
    (missing params last) prefers the smaller of two equally scored models.
    """
    metrics = metrics or {}
    params = metrics.get("params")
    p = params if _usable(params) else math.inf
    rs = ratios(objs, metrics)  # once: feasibility, the miss and CME all read it
    feasible = all(r >= 0 for r in rs.values())
    return (0 if feasible else 1, _weighted(objs, rs, _miss), -_weighted(objs, rs, _identity), p)


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

    Raw metric values are compared, not scores. Points missing any objective's metric are ignored.
    Equal points are all kept.
    """
    usable = [i for i, p in enumerate(points) if has_all(p, objs)]
    return [i for i in usable
            if not any(dominates(points[j], points[i], objs) for j in usable if j != i)]


def pareto_indices(points: Sequence[tuple[float, float]]) -> list[int]:
    """Non-dominated (accuracy, cost) pairs: the first coordinate maximised, the second
    minimised (the Pareto view of the report and the dashboard)."""
    objs = [Objective(metric="val_accuracy", goal="max", threshold=0.5),
            Objective(metric="params", goal="min", threshold=1.0)]
    return pareto_front([{"val_accuracy": a, "params": b} for a, b in points], objs)


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
