"""The offline proposer's growth rule: when accuracy misses and the size caps have room, grow.

A model that misses its accuracy objective while meeting every other objective, and whose
parameters and FLOPs (the exact analytic estimates of `genome`) use at most `GROW_ROOM` of the
caps the objectives set, is given more capacity toward the caps instead of being edited in place:
  * width: every stage's (and the stem's) channels x`WIDTH_STEP`, scaled back by bisection until
    the estimates are within `GROW_FILL` of the caps;
  * depth: up to `DEPTH_STEPS` more blocks (the shallowest stage first), as many as stay within
    `GROW_FILL` of the caps.
Without a cap the step is the same, unbounded. Which of the two comes first is the caller's
choice (the offline proposer ranks them by the effects measured in the run). All functions here
are pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from lemonade.config import Objective
from lemonade.objectives import format_value, raw_ratio
from lemonade.proposers.genome import (
    Genome,
    apply,
    estimate_flops,
    estimate_stored,
    fit_budget,
)
from lemonade.rules import ACCURACY_METRICS

GROW_ROOM = 0.8  # a model using at most this fraction of its size caps has room to grow
GROW_FILL = 0.95  # a grown model is sized to at most this fraction of the caps
WIDTH_STEP = 1.5  # channels multiplied by this at most in one growth step
DEPTH_STEPS = 2  # blocks added at most in one growth step


def cap_usage(g: Genome, info: Mapping[str, object], limits: Mapping[str, float]) -> float | None:
    """The largest fraction of a cap (`max_params` on params + buffers, `max_flops`) the genome
    uses; None when there is no cap."""
    used = []
    if limits.get("max_params"):
        used.append(estimate_stored(g, dict(info)) / limits["max_params"])
    if limits.get("max_flops"):
        used.append(estimate_flops(g, dict(info)) / limits["max_flops"])
    return max(used) if used else None


def growth_reason(objectives: Sequence[Objective], metrics: Mapping[str, float] | None,
                  g: Genome, info: Mapping[str, object],
                  limits: Mapping[str, float]) -> str | None:
    """Why `g` (measured as `metrics`) should grow, or None when it should not: an accuracy
    objective is missed, every other objective is met (or unmeasured), and the caps have room."""
    if not metrics:
        return None
    missed = [o for o in objectives
              if (r := raw_ratio(o, metrics.get(o.metric))) is not None and r < 0]
    acc = [o for o in missed if o.metric in ACCURACY_METRICS and o.goal == "max"]
    if not acc or len(acc) != len(missed):
        return None  # accuracy is fine, or another objective (size, speed, cost) is missed
    used = cap_usage(g, info, limits)
    if used is not None and used > GROW_ROOM:
        return None
    o = acc[0]
    room = ("no size cap" if used is None
            else f"the model uses {used:.0%} of its size cap (room above {GROW_ROOM:.0%})")
    return (f"grow: {o.metric} {format_value(o.metric, metrics[o.metric])} misses "
            f"{format_value(o.metric, o.threshold)} and {room}")


def _fits(g: Genome, info: dict[str, object], limits: Mapping[str, float]) -> bool:
    used = cap_usage(g, info, limits)
    return used is None or used <= GROW_FILL


def growth_options(g: Genome, info: Mapping[str, object],
                   limits: Mapping[str, float]) -> list[tuple[str, Genome]]:
    """The grown genomes, as (label, genome): wider, then deeper; each strictly larger than `g`
    and within GROW_FILL of the caps (an option that cannot grow is left out)."""
    info = dict(info)
    size = estimate_stored(g, info)
    out: list[tuple[str, Genome]] = []
    wide = apply(g, "add_kernels", WIDTH_STEP - 1.0)
    if not _fits(wide, info, limits):
        wide = fit_budget(wide, info,
                          max_params=limits.get("max_params", 0.0) * GROW_FILL or None,
                          max_flops=limits.get("max_flops", 0.0) * GROW_FILL or None)
    if estimate_stored(wide, info) > size and _fits(wide, info, limits):
        out.append((f"grow width x{WIDTH_STEP:g} (fitted to {GROW_FILL:.0%} of the caps)", wide))
    deep = None
    for n in range(1, DEPTH_STEPS + 1):
        d = apply(g, "add_conv_layers", n / 3)  # n blocks (genome._steps of 3)
        if d == g or not _fits(d, info, limits):
            break
        deep = (n, d)
    if deep is not None:
        out.append((f"grow depth +{deep[0]} block{'s' if deep[0] > 1 else ''}", deep[1]))
    return out
