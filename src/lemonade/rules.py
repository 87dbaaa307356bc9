"""The expert system's built-in rules, as a table of data.

Each rule is a name, a condition over the last candidate (its metrics against the objectives, an
optional failure text, optional history) that returns zero or more *triggers*, and the actions it
emits. A trigger carries what the action needs: the diagnosis, a human reason, a magnitude and the
objective whose priority it carries in conflicts. `lemonade.expert` turns triggers into
instructions, merges duplicates and resolves conflicts; users extend the table from the config
(`rules:`), see `lemonade.expert.compile_rule`.

The rule set follows LeMo-NADe's expert system (arXiv 2402.18443, journal version): metric gaps map
to a fixed vocabulary of opposite instruction pairs. Numbers below (spreads, clip bounds) are ours.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from lemonade.config import Objective
from lemonade.metrics import METRICS
from lemonade.objectives import describe_gap, format_value, ratio, raw_ratio

# --- knobs -------------------------------------------------------------------------------------
UNDERFIT_SPREAD = 0.05  # train - val below this while val misses its threshold: too little capacity
OVERFIT_SPREAD = 0.08  # train - val above this: memorising, regularise instead of growing
MAGNITUDE_MIN = 0.1  # an instruction smaller than 10% is noise for a proposer
MAGNITUDE_MAX = 0.6  # more than 60% in one step loses what made the parent work
PUSH_MAGNITUDE = 0.15  # all objectives met: a light push keeps the search improving
FAILURE_MAGNITUDE = 0.4  # a failed build/train: a firm step back
STALL_WINDOW = 3  # default: this many children of one parent in a row that did not beat it
STALL_MAGNITUDE = 0.4  # a stalled parent gets a larger step
GROWTH = 1.5  # an instruction repeated for a stalled parent, with no alternative, grows by this
QUANT_DROP = 0.02  # val_accuracy - int8_val_accuracy above this: the model does not survive int8

# test_accuracy is not here: the test split never reaches the expert (only reported)
ACCURACY_METRICS = ("val_accuracy", "train_accuracy", "int8_val_accuracy")

# A different edit toward the same end, for when an action was already tried on a stalled parent
# (first untried one wins): capacity by depth instead of width, size by width instead of depth...
ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "add_kernels": ("add_conv_layers", "add_skip_connections", "add_neurons"),
    "reduce_kernels": ("reduce_conv_layers", "reduce_neurons", "reduce_dense_layers"),
    "add_conv_layers": ("add_kernels", "add_skip_connections", "add_dense_layers"),
    "reduce_conv_layers": ("reduce_kernels", "reduce_dense_layers", "reduce_neurons"),
    "add_skip_connections": ("add_conv_layers", "add_kernels", "add_weight_initializer"),
    "reduce_skip_connections": ("reduce_conv_layers", "reduce_kernels"),
    "add_dense_layers": ("add_neurons", "add_conv_layers"),
    "reduce_dense_layers": ("reduce_neurons", "reduce_kernels"),
    "add_dropout": ("add_regularization", "reduce_neurons"),
    "reduce_dropout": ("reduce_regularization", "add_kernels"),
    "add_regularization": ("add_dropout", "reduce_neurons"),
    "reduce_regularization": ("reduce_dropout", "add_kernels"),
    "add_neurons": ("add_kernels", "add_dense_layers"),
    "reduce_neurons": ("reduce_kernels", "reduce_dense_layers"),
    "add_weight_initializer": ("add_skip_connections", "add_regularization"),
}
SIZE_METRICS = ("params", "model_size_bytes")
COMPUTE_METRICS = ("flops", "latency_ms", "fps")
COST_METRICS = ("train_seconds", "train_energy_kwh", "avg_power_w", "co2_kg", "peak_memory_bytes")


def clip_magnitude(m: float) -> float:
    return max(MAGNITUDE_MIN, min(MAGNITUDE_MAX, m))


def magnitude_from_factor(factor: float, scale: float = 1.0) -> float:
    """Relative change for a value `factor` times off its threshold (factor >= 1).

    1 - 1/factor is the cut that brings a linearly scaling metric back to its threshold
    (params 1.7x over -> reduce by ~41%); clipped to [MAGNITUDE_MIN, MAGNITUDE_MAX].
    """
    if not math.isfinite(factor) or factor <= 1.0:
        return MAGNITUDE_MIN if math.isfinite(factor) else MAGNITUDE_MAX
    return clip_magnitude(scale * (1.0 - 1.0 / factor))


# --- rule types --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Context:
    """What a condition sees: the last candidate and the objectives."""

    objectives: dict[str, Objective]  # by metric
    metrics: dict[str, float]
    # the attempts made from this same parent, oldest first: {"status": str, "beat_parent": bool,
    # "advice": [[action, magnitude], ...]} (the advice that attempt was given)
    history: tuple[dict, ...] = ()
    failure: str | None = None
    stall_after: int = STALL_WINDOW

    @property
    def max_priority(self) -> float:
        return max((o.priority for o in self.objectives.values()), default=1.0)

    @property
    def min_priority(self) -> float:
        return min((o.priority for o in self.objectives.values()), default=1.0)

    def raw(self, metric: str) -> float | None:
        """Unclipped log2 ratio of a metric with an objective (None: no objective or unmeasured)."""
        obj = self.objectives.get(metric)
        return None if obj is None else raw_ratio(obj, self.metrics.get(metric))

    def gap(self, metric: str) -> float:
        """|r| clipped to 1: how far from its threshold, comparable across objectives."""
        r = self.raw(metric)
        return 1.0 if r is None else min(1.0, abs(r))

    def factor(self, metric: str) -> float:
        """How many times the value is off its threshold (>= 1), from the unclipped ratio."""
        r = self.raw(metric)
        return math.inf if r is None else 2.0 ** abs(r)


@dataclass(frozen=True)
class Trigger:
    diagnosis: str
    reason: str
    magnitude: float
    objective: str | None = None  # metric whose priority this carries in conflicts
    gap: float = 0.0  # normalised distance from the threshold, |r| in [0, 1]
    priority: float | None = None  # None: the objective's priority


@dataclass(frozen=True)
class Emit:
    action: str
    scale: float = 1.0  # fraction of the trigger's magnitude (secondary actions are lighter)
    note: str = ""  # appended to the reason, e.g. how to do it


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    condition: Callable[[Context], list[Trigger]]
    emits: tuple[Emit, ...] = field(default_factory=tuple)


# --- helpers used by conditions ----------------------------------------------------------------
def _value_phrase(ctx: Context, metric: str) -> str:
    obj = ctx.objectives[metric]
    v = ctx.metrics.get(metric)
    return (f"{metric} {format_value(metric, v)} is {describe_gap(obj, v)} "
            f"{format_value(metric, obj.threshold)}")


def _threshold_phrase(ctx: Context, metric: str) -> str:
    """`params 850,000 is 1.7x the 500,000 threshold`-style text for a missed objective."""
    obj = ctx.objectives[metric]
    v = ctx.metrics[metric]
    if metric.endswith("accuracy"):
        return (f"{metric} {format_value(metric, v)} is {abs(v - obj.threshold):.3f} under the "
                f"{format_value(metric, obj.threshold)} threshold")
    return (f"{metric} {format_value(metric, v)} is {v / obj.threshold:.2g}x the "
            f"{format_value(metric, obj.threshold)} threshold")


def _natural(ctx: Context, metric: str) -> bool:
    """The objective's goal is the metric's natural one. The actions below assume it (fewer
    channels -> fewer params); an unusual goal (maximise params) gets no built-in advice."""
    return ctx.objectives[metric].goal == METRICS[metric][1]


def _missed(ctx: Context, metric: str) -> bool:
    """The objective exists with its natural goal, was measured, and is not met."""
    r = ctx.raw(metric)
    return r is not None and r < 0 and _natural(ctx, metric)


def accuracy_magnitude(value: float, threshold: float) -> float:
    """Relative change for an accuracy under its threshold, judged on the error rate.

    Capacity buys down errors, not accuracy: 0.76 against 0.80 is 0.24/0.20 = 1.2x the allowed
    error, so ~17%; 0.60 against 0.80 is 2x the allowed error, so ~50%.
    """
    allowed, actual = 1.0 - threshold, 1.0 - value
    if allowed <= 0:  # a threshold of 1.0: every error is infinitely many too many
        return MAGNITUDE_MAX
    return magnitude_from_factor(actual / allowed)


def _acc_magnitude(ctx: Context, metric: str) -> float:
    return accuracy_magnitude(ctx.metrics[metric], ctx.objectives[metric].threshold)


def _accuracy_objective(ctx: Context) -> str | None:
    return next((m for m in ACCURACY_METRICS if m in ctx.objectives), None)


def _spread(ctx: Context) -> float | None:
    """train accuracy minus held-out accuracy, when both were measured."""
    train = ctx.metrics.get("train_accuracy")
    held = ctx.metrics.get("val_accuracy")
    return None if train is None or held is None else train - held


def _prio(ctx: Context, metric: str) -> str:
    return f"(priority {ctx.objectives[metric].priority:g})"


# --- conditions --------------------------------------------------------------------------------
def _no_metrics(ctx: Context) -> list[Trigger]:
    if ctx.metrics or ctx.failure:
        return []
    goals = ", ".join(f"{o.metric} {'>=' if o.goal == 'max' else '<='} "
                      f"{format_value(o.metric, o.threshold)}" for o in ctx.objectives.values())
    return [Trigger(
        diagnosis="no candidate measured yet: start from a small, well-formed baseline"
                  + (f" aimed at {goals}" if goals else ""),
        reason="first candidate: a standard initialisation makes it a fair baseline",
        magnitude=MAGNITUDE_MIN, priority=ctx.max_priority)]


# failure kind -> patterns (searched case-insensitively in the failure text, first match wins)
FAILURE_KINDS: tuple[tuple[str, str], ...] = (
    ("oom", r"out of memory|\boom\b|memoryerror|cannot allocate|bad_alloc|memory limit"),
    ("timeout", r"timeout|timed out|time budget|time_budget|deadline"),
    ("diverged", r"diverg|\bnan\b|non-finite|not finite|\binf\b|explod"),
    ("shape", r"shape|size mismatch|mat1 and mat2|expected input|dimension|sizes of tensors"),
)


def classify_failure(text: str | None) -> str | None:
    """oom | timeout | diverged | shape | other, or None when there was no failure."""
    if not text:
        return None
    low = text.lower()
    for kind, pattern in FAILURE_KINDS:
        if re.search(pattern, low):
            return kind
    return "other"


def _short(text: str, n: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _failure(kind: str, diagnosis: str) -> Callable[[Context], list[Trigger]]:
    def cond(ctx: Context) -> list[Trigger]:
        if classify_failure(ctx.failure) != kind:
            return []
        assert ctx.failure is not None
        # A failure blocks every objective: it carries the top priority and the largest gap.
        return [Trigger(diagnosis=f"{diagnosis}: {_short(ctx.failure)}",
                        reason=f"the last candidate failed ({kind})",
                        magnitude=FAILURE_MAGNITUDE, priority=ctx.max_priority, gap=1.0)]
    return cond


def _underfitting(ctx: Context) -> list[Trigger]:
    acc = _accuracy_objective(ctx)
    spread = _spread(ctx)
    if acc is None or not _missed(ctx, acc) or spread is None or spread >= UNDERFIT_SPREAD:
        return []
    return [Trigger(
        diagnosis=f"underfitting: {_value_phrase(ctx, acc)} and train accuracy is within "
                  f"{UNDERFIT_SPREAD} of it ({spread:+.3f})",
        reason=f"{_threshold_phrase(ctx, acc)} and train accuracy is close to it "
               f"(underfitting) {_prio(ctx, acc)}",
        magnitude=_acc_magnitude(ctx, acc),
        objective=acc, gap=ctx.gap(acc))]


def _overfitting(ctx: Context) -> list[Trigger]:
    acc = _accuracy_objective(ctx)
    spread = _spread(ctx)
    if acc is None or not _missed(ctx, acc) or spread is None or spread <= OVERFIT_SPREAD:
        return []
    return [Trigger(
        diagnosis=f"overfitting: train accuracy is {spread:.3f} above held-out accuracy while "
                  f"{_value_phrase(ctx, acc)}",
        reason=f"{_threshold_phrase(ctx, acc)} while train accuracy is {spread:.3f} higher "
               f"(overfitting) {_prio(ctx, acc)}",
        magnitude=clip_magnitude(2.0 * spread),
        objective=acc, gap=ctx.gap(acc))]


def _accuracy_low(ctx: Context) -> list[Trigger]:
    """Accuracy missed, and neither under- nor overfitting is clear (no train accuracy, or in
    between the two spreads)."""
    acc = _accuracy_objective(ctx)
    spread = _spread(ctx)
    if acc is None or not _missed(ctx, acc):
        return []
    if spread is not None and not (UNDERFIT_SPREAD <= spread <= OVERFIT_SPREAD):
        return []
    return [Trigger(
        diagnosis=f"accuracy below target: {_value_phrase(ctx, acc)}",
        reason=f"{_threshold_phrase(ctx, acc)} {_prio(ctx, acc)}",
        magnitude=_acc_magnitude(ctx, acc),
        objective=acc, gap=ctx.gap(acc))]


def _over_threshold(metrics: tuple[str, ...], what: str) -> Callable[[Context], list[Trigger]]:
    """One trigger per missed objective among `metrics` (min goals over, max goals under)."""
    def cond(ctx: Context) -> list[Trigger]:
        out = []
        for m in metrics:
            if _missed(ctx, m):
                out.append(Trigger(
                    diagnosis=f"{what}: {_value_phrase(ctx, m)}",
                    reason=f"{_threshold_phrase(ctx, m)} {_prio(ctx, m)}",
                    magnitude=magnitude_from_factor(ctx.factor(m)),
                    objective=m, gap=ctx.gap(m)))
        return out
    return cond


def push_target(ctx: Context) -> str | None:
    """All objectives met: the one to push further, or None when some objective is missed.

    The objective with the most CME still to gain: priority x (1 - r), r being its CME score
    (`objectives.ratio`, bounded by 1). Ties go to the higher priority.
    """
    if not ctx.objectives or not ctx.metrics:
        return None
    rs = {m: ctx.raw(m) for m in ctx.objectives}
    if any(r is None or r < 0 for r in rs.values()):
        return None

    def headroom(o: Objective) -> float:
        # CME's score r is bounded by 1 and keeps rising towards it (accuracy on the error
        # rate), so what is left to win is 1 - r for every objective
        return max(0.0, 1.0 - ratio(o, ctx.metrics.get(o.metric)))

    order = sorted(ctx.objectives.values(),
                   key=lambda o: (-o.priority * headroom(o), -o.priority, rs[o.metric]))
    return order[0].metric


def _push(group: tuple[str, ...]) -> Callable[[Context], list[Trigger]]:
    def cond(ctx: Context) -> list[Trigger]:
        target = push_target(ctx)
        if target is None or target not in group or not _natural(ctx, target):
            return []
        others = [m for m in ctx.objectives if m != target]
        tight = min(others, key=lambda m: ctx.raw(m) or 0.0, default=None)
        keep = (f", keeping {tight} within its threshold "
                f"({describe_gap(ctx.objectives[tight], ctx.metrics.get(tight))})"
                if tight else "")
        return [Trigger(
            diagnosis=f"all objectives met; pushing {target} further "
                      f"({describe_gap(ctx.objectives[target], ctx.metrics.get(target))})",
            reason=f"all objectives met: improve {target} (the top priority with room left)"
                   f"{keep} {_prio(ctx, target)}",
            magnitude=PUSH_MAGNITUDE, objective=target, gap=ctx.gap(target))]
    return cond


def stall_count(history: tuple[dict, ...] | list[dict]) -> int:
    """How many of the latest attempts from a parent, in a row, did not beat it."""
    n = 0
    for h in reversed(list(history)):
        if not isinstance(h, dict) or h.get("beat_parent"):
            break
        n += 1
    return n


def _quantization_drop(ctx: Context) -> list[Trigger]:
    """The int8 model loses more than QUANT_DROP of validation accuracy."""
    val, q = ctx.metrics.get("val_accuracy"), ctx.metrics.get("int8_val_accuracy")
    if val is None or q is None or val - q <= QUANT_DROP:
        return []
    drop = val - q
    obj = "int8_val_accuracy" if "int8_val_accuracy" in ctx.objectives else None
    return [Trigger(
        diagnosis=f"int8 quantization costs {100 * drop:.1f} points of accuracy "
                  f"(val_accuracy {val:.3f}, int8_val_accuracy {q:.3f})",
        reason=f"the int8 model loses {100 * drop:.1f} points of validation accuracy: make the "
               "network quantization-friendly",
        magnitude=clip_magnitude(4.0 * drop), objective=obj,
        priority=None if obj else ctx.max_priority, gap=min(1.0, 10.0 * drop))]


def _stalled(ctx: Context) -> list[Trigger]:
    """The last `stall_after` children of this parent, in a row, did not beat it."""
    n = stall_count(ctx.history)
    if not ctx.metrics or n < ctx.stall_after:
        return []
    recent = [str(h.get("status", "?")) for h in ctx.history[-n:]]
    return [Trigger(
        diagnosis=f"stalled: the last {n} children of this parent did not beat it "
                  f"({', '.join(recent[-ctx.stall_after:])})",
        reason=f"{n} attempts from this parent without improvement: a larger, different "
               f"change than the ones tried",
        magnitude=STALL_MAGNITUDE, priority=ctx.max_priority, gap=0.0)]


# --- the table ---------------------------------------------------------------------------------
BUILTIN_RULES: tuple[Rule, ...] = (
    Rule("baseline", "no metrics yet (first iteration)", _no_metrics,
         (Emit("add_weight_initializer", note="e.g. Kaiming normal for conv, zero biases"),)),
    Rule("failure_oom", "out of memory at build, train or measure",
         _failure("oom", "the last candidate ran out of memory"),
         (Emit("reduce_kernels"), Emit("reduce_conv_layers", 0.75))),
    Rule("failure_timeout", "ran past its time budget",
         _failure("timeout", "the last candidate ran out of time"),
         (Emit("reduce_conv_layers"), Emit("reduce_kernels", 0.75))),
    Rule("failure_diverged", "training diverged (NaN/inf loss)",
         _failure("diverged", "training diverged"),
         (Emit("add_weight_initializer", note="e.g. Kaiming normal, BatchNorm after each conv"),
          Emit("add_regularization", 0.75),
          Emit("reduce_conv_layers", 0.5, note="a shallower net is easier to train"))),
    Rule("failure_shape", "shape error at the first forward pass",
         _failure("shape", "the network has a shape error"),
         (Emit("reduce_dense_layers", 0.5,
               note="use nn.AdaptiveAvgPool2d(1) + flatten before the classifier so the dense "
                    "input does not depend on the image size"),)),
    Rule("failure_other", "any other failure",
         _failure("other", "the last candidate failed"),
         (Emit("reduce_conv_layers", 0.25, note="return to a simpler network close to the best"),)),
    Rule("underfitting", "accuracy missed, train accuracy close to it", _underfitting,
         (Emit("add_conv_layers"), Emit("add_kernels"), Emit("add_skip_connections", 0.5),
          Emit("reduce_dropout", 0.5), Emit("reduce_regularization", 0.5))),
    Rule("overfitting", "accuracy missed, train accuracy far above it", _overfitting,
         (Emit("add_dropout"), Emit("add_regularization"), Emit("reduce_neurons", 0.5))),
    Rule("accuracy_low", "accuracy missed, fit unclear", _accuracy_low,
         (Emit("add_kernels"), Emit("add_skip_connections", 0.5))),
    Rule("size_over", "params or model size over threshold",
         _over_threshold(SIZE_METRICS, "model too large"),
         (Emit("reduce_kernels"), Emit("reduce_neurons"), Emit("reduce_dense_layers", 0.5))),
    Rule("compute_over", "FLOPs or latency over threshold, or FPS under",
         _over_threshold(COMPUTE_METRICS, "model too slow"),
         (Emit("reduce_conv_layers"), Emit("reduce_kernels", 0.75))),
    Rule("cost_over", "training time, energy, power, CO2 or peak memory over threshold",
         _over_threshold(COST_METRICS, "too costly to train"),
         (Emit("reduce_conv_layers"), Emit("reduce_kernels", 0.75))),
    Rule("push_accuracy", "all met: push accuracy", _push(ACCURACY_METRICS),
         (Emit("add_kernels"),)),
    Rule("push_size", "all met: push size", _push(SIZE_METRICS), (Emit("reduce_kernels"),)),
    Rule("push_compute", "all met: push speed", _push(COMPUTE_METRICS),
         (Emit("reduce_conv_layers"),)),
    Rule("push_cost", "all met: push training cost", _push(COST_METRICS),
         (Emit("reduce_conv_layers"),)),
    Rule("quantization_drop", f"int8 accuracy more than {QUANT_DROP} under float accuracy",
         _quantization_drop,
         (Emit("add_regularization", note="keep every layer int8-friendly: a BatchNorm after each "
               "conv (folded at export), ReLU or ReLU6 instead of unbounded or saturating "
               "activations (no sigmoid/tanh gates, no exp), no layers that need a wide range "
               "(huge logits, unnormalised sums), weight decay so weight ranges stay tight"),
          Emit("add_kernels", 0.5, note="very narrow layers lose most to 8-bit rounding"))),
    Rule("stalled", "no CME improvement for a while", _stalled,
         (Emit("add_skip_connections"),)),
)
