"""The expert system: measured-metric gaps -> a short, ordered list of instructions.

After LeMo-NADe's expert system (arXiv 2402.18443, journal version): a fixed vocabulary of
instructions in opposite pairs, rules that map a candidate's metrics (against the user's
objectives) to instructions with a magnitude, and conflict resolution between opposite
instructions by the priority of the objectives that raised them, then by how far each objective is
from its threshold. The built-in rules are a table in `lemonade.rules`; users add rules in the
config, whose `when` is a small expression language evaluated here by a tiny AST walker (never
`eval`).

Call order: `advise(objectives, metrics, history=..., extra_rules=..., failure=...)` ->
`Advice` (diagnosis, instructions, conflicts) -> `Advice.prompt_text()` for the LLM prompt,
`Advice.to_json()` for the store and the report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from lemonade.config import Objective, RuleConfig
from lemonade.metrics import validation_only
from lemonade.objectives import describe_gap, format_value, ratio
from lemonade.rule_grammar import (
    ACTIONS,
    check_rule,
    evaluate_condition,
)
from lemonade.rules import (
    ALTERNATIVES,
    BUILTIN_RULES,
    GROWTH,
    MAGNITUDE_MIN,
    STALL_WINDOW,
    Context,
    Emit,
    Rule,
    Trigger,
    stall_count,
)

STATUS_PREFIX = "objectives:"  # the diagnosis line that lists every objective's status
REPEAT_LIMIT = 2  # the same advice for the same parent at most this many times in a row

# --- vocabulary (ACTIONS: lemonade.rule_grammar) -----------------------------------------------
OPPOSITE: dict[str, str] = {}
for _a in ACTIONS:
    if _a.startswith("add_") and (_b := "reduce_" + _a[4:]) in ACTIONS:
        OPPOSITE[_a], OPPOSITE[_b] = _b, _a

LABELS: dict[str, str] = {
    "add_conv_layers": "Add conv layers", "reduce_conv_layers": "Reduce conv layers",
    "add_skip_connections": "Add skip connections",
    "reduce_skip_connections": "Reduce skip connections",
    "add_dense_layers": "Add dense layers", "reduce_dense_layers": "Reduce dense layers",
    "add_dropout": "Add dropout", "reduce_dropout": "Reduce dropout",
    "add_kernels": "Add kernels (channels)", "reduce_kernels": "Reduce kernels (channels)",
    "add_regularization": "Add regularization", "reduce_regularization": "Reduce regularization",
    "add_neurons": "Add neurons", "reduce_neurons": "Reduce neurons",
    "add_weight_initializer": "Add a weight initializer",
}
MAX_INSTRUCTIONS = 6  # a handful: more dilutes the prompt and the offline proposer's edit

for _r in BUILTIN_RULES:  # the table is data: catch a typo at import, not mid-run
    for _e in _r.emits:
        if _e.action not in ACTIONS:
            raise RuntimeError(f"built-in rule {_r.name!r} emits unknown action {_e.action!r}")


# --- advice types ------------------------------------------------------------------------------
@dataclass
class Instruction:
    action: str
    magnitude: float  # 0..1, relative change ("by about 40%")
    reason: str
    objective: str | None  # metric whose priority this carries
    priority: float
    gap: float  # normalised distance of that objective from its threshold, |r| in [0, 1]

    def text(self) -> str:
        label = LABELS.get(self.action, self.action)
        if self.action == "add_weight_initializer":
            return f"{label}: {self.reason}"
        # Rounded to 5%: the magnitude is a hint, not a measurement.
        pct = max(5, round(self.magnitude * 20) * 5)
        return f"{label} by about {pct}%: {self.reason}"

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Instruction:
        return cls(action=d["action"], magnitude=float(d["magnitude"]), reason=d.get("reason", ""),
                   objective=d.get("objective"), priority=float(d.get("priority", 0.0)),
                   gap=float(d.get("gap", 0.0)))


@dataclass
class Conflict:
    kept: Instruction
    dropped: Instruction
    why: str


@dataclass
class Advice:
    diagnosis: list[str] = field(default_factory=list)
    instructions: list[Instruction] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def actions(self) -> list[str]:
        return [i.action for i in self.instructions]

    @property
    def findings(self) -> list[str]:
        """The diagnosis without the objectives' status line (what is wrong, not the numbers):
        the memory's "problem" and the default suggestion's diagnosis."""
        return [d for d in self.diagnosis if not d.startswith(STATUS_PREFIX)]

    def signature(self) -> tuple[tuple[str, int], ...]:
        """What makes two pieces of advice "the same": actions and magnitudes (to 5%)."""
        return advice_signature([(i.action, i.magnitude) for i in self.instructions])

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Advice:
        return cls(
            diagnosis=list(d.get("diagnosis", [])),
            instructions=[Instruction.from_json(i) for i in d.get("instructions", [])],
            conflicts=[Conflict(kept=Instruction.from_json(c["kept"]),
                                dropped=Instruction.from_json(c["dropped"]), why=c["why"])
                       for c in d.get("conflicts", [])],
        )

    def prompt_text(self) -> str:
        lines = ["Diagnosis:"]
        lines += [f"- {d}" for d in self.diagnosis] or ["- (none)"]
        lines.append("Instructions (most important first):")
        lines += [f"{n}. {i.text()}" for n, i in enumerate(self.instructions, 1)] or [
            "(none: keep the architecture and make a small exploratory change)"]
        if self.conflicts:
            lines.append("Resolved conflicts:")
            lines += [f"- {c.why}" for c in self.conflicts]
        return "\n".join(lines)


def compile_rule(rc: RuleConfig) -> Rule:
    """A user rule from the config as a `Rule`; ValueError naming the rule and the problem."""
    tree = check_rule(rc)

    def cond(ctx: Context) -> list[Trigger]:
        if not ctx.metrics:
            return []
        if not evaluate_condition(tree, ctx.metrics, list(ctx.objectives.values())):
            return []
        obj = rc.objective if rc.objective in ctx.objectives else None
        # A rule tied to no objective of this run must not outrank the user's ranked objectives.
        prio = ctx.objectives[obj].priority if obj else ctx.min_priority
        gap = ctx.gap(obj) if obj and ctx.metrics.get(obj) is not None else 0.0
        return [Trigger(diagnosis=f"rule {rc.name}: {rc.when}",
                        reason=f"user rule {rc.name!r} ({rc.when}) (priority {prio:g})",
                        magnitude=rc.magnitude, objective=obj, gap=gap, priority=prio)]

    return Rule(rc.name, f"user rule: {rc.when}", cond, tuple(Emit(a) for a in rc.then))


# --- advise ------------------------------------------------------------------------------------
def _instructions(rule: Rule, trig: Trigger, ctx: Context) -> list[Instruction]:
    prio = trig.priority
    if prio is None:
        prio = ctx.objectives[trig.objective].priority if trig.objective in ctx.objectives else 0.0
    return [Instruction(action=e.action,
                        magnitude=max(MAGNITUDE_MIN, min(1.0, trig.magnitude * e.scale)),
                        reason=trig.reason + (f"; {e.note}" if e.note else ""),
                        objective=trig.objective, priority=float(prio), gap=trig.gap)
            for e in rule.emits]


def _strength(i: Instruction) -> tuple[float, float]:
    return (i.priority, i.gap)


def merge_duplicates(instrs: Sequence[Instruction]) -> list[Instruction]:
    """One instruction per action: the largest magnitude, the strongest objective, all reasons."""
    merged: dict[str, Instruction] = {}
    for i in instrs:
        m = merged.get(i.action)
        if m is None:
            merged[i.action] = Instruction(**asdict(i))
            continue
        lead = i if _strength(i) > _strength(m) else m
        reasons = m.reason.split("; ")
        reasons += [r for r in i.reason.split("; ") if r not in reasons]
        merged[i.action] = Instruction(action=i.action, magnitude=max(m.magnitude, i.magnitude),
                                       reason="; ".join(reasons), objective=lead.objective,
                                       priority=lead.priority, gap=lead.gap)
    return list(merged.values())


def _side(i: Instruction, objs: Mapping[str, Objective], metrics: Mapping[str, float]) -> str:
    if i.objective is not None and i.objective in objs:
        return (f"{i.objective}, priority {i.priority:g}, "
                f"{describe_gap(objs[i.objective], metrics.get(i.objective))}")
    return f"priority {i.priority:g}, gap {i.gap:.2f}"


def resolve_conflicts(instrs: Sequence[Instruction], objs: Mapping[str, Objective],
                      metrics: Mapping[str, float]) -> tuple[list[Instruction], list[Conflict]]:
    """Drop the weaker of each opposite pair: higher priority wins, then the larger gap |r|.

    On a full tie the reducing action wins: a smaller network is the safer step (it fails less
    and costs less to try).
    """
    by_action = {i.action: i for i in instrs}
    dropped: set[str] = set()
    conflicts: list[Conflict] = []
    for i in instrs:
        o = OPPOSITE.get(i.action)
        if o is None or o not in by_action or i.action in dropped or o in dropped:
            continue
        a, b = i, by_action[o]
        if _strength(a) == _strength(b):
            kept, lost = (a, b) if a.action.startswith("reduce_") else (b, a)
            rule = "equal priority and gap, the reducing step is safer"
        else:
            kept, lost = (a, b) if _strength(a) > _strength(b) else (b, a)
            rule = ("higher priority" if kept.priority != lost.priority
                    else "equal priority, larger gap")
        dropped.add(lost.action)
        conflicts.append(Conflict(kept=kept, dropped=lost, why=(
            f"kept {kept.action} ({_side(kept, objs, metrics)}) over {lost.action} "
            f"({_side(lost, objs, metrics)}): {rule}")))
    return [i for i in instrs if i.action not in dropped], conflicts


def _status_line(objs: Sequence[Objective], metrics: Mapping[str, float]) -> str:
    parts = []
    for o in objs:
        v = metrics.get(o.metric)
        state = "met" if ratio(o, v) >= 0 else "not met"
        parts.append(f"{o.metric} {format_value(o.metric, v)} vs {o.goal} "
                     f"{format_value(o.metric, o.threshold)} ({describe_gap(o, v)}, {state})")
    return STATUS_PREFIX + " " + "; ".join(parts)


def advice_signature(pairs: Iterable[tuple[str, float]]) -> tuple[tuple[str, int], ...]:
    """Actions with magnitudes rounded to 5%: two pieces of advice with equal signatures are
    the same advice to a proposer."""
    return tuple((a, round(float(m) * 20)) for a, m in pairs)


def _history_pairs(h: Mapping[str, Any]) -> list[tuple[str, float]]:
    return [(str(p[0]), float(p[1])) for p in h.get("advice") or [] if len(p) >= 2]


def vary(instrs: Sequence[Instruction], tried: set[str], why: str) -> list[Instruction]:
    """Change every instruction whose action is in `tried`: to an alternative action toward the
    same end that was not tried (and does not contradict another instruction), else to a larger
    step of the same action. Keeps the order; the result's signature differs from the input's."""
    present = {i.action for i in instrs}
    out: list[Instruction] = []
    for i in instrs:
        if i.action not in tried:
            out.append(i)
            continue
        alt = next((a for a in ALTERNATIVES.get(i.action, ()) if a not in tried
                    and a not in present and OPPOSITE.get(a) not in present), None)
        if alt is not None:
            present.add(alt)
            out.append(replace(i, action=alt, reason=f"{i.reason}; {alt} instead of "
                                                     f"{i.action} ({why})"))
        else:
            out.append(replace(i, magnitude=min(1.0, max(i.magnitude * GROWTH,
                                                         i.magnitude + 0.1)),
                               reason=f"{i.reason}; a larger step ({why})"))
    before = advice_signature((i.action, i.magnitude) for i in instrs)
    if advice_signature((i.action, i.magnitude) for i in out) == before and len(out) > 1:
        out = out[1:] + out[:1]  # nothing could grow or change: lead with another instruction
    return out


def advise(objs: list[Objective], metrics: dict[str, float] | None, *,
           history: list[dict] | None = None, extra_rules: Sequence[RuleConfig] = (),
           failure: str | None = None, stall_after: int = STALL_WINDOW) -> Advice:
    """Instructions for the next candidate from the parent's metrics (or the last failure).

    `metrics`: the parent's flat {metric: value}, validation metrics only (None/empty: nothing
    measured yet). `history`: the attempts already made from this parent, oldest first, each
    {"status", "beat_parent": bool, "advice": [[action, magnitude], ...]}. When the last
    `stall_after` of them all failed to beat the parent, the `stalled` rule fires and the
    instructions tried in those attempts are changed (another action, or a larger step); and the
    same advice is never given for the same parent more than REPEAT_LIMIT times in a row.
    `failure`: the last candidate's failure text (OOM, timeout, diverged, shape error...).
    Raises ValueError for an invalid user rule.
    """
    metrics = validation_only(metrics)
    by_metric = {o.metric: o for o in objs}
    history = [h for h in history or () if isinstance(h, Mapping)]
    ctx = Context(objectives=by_metric, metrics=metrics, history=tuple(history),
                  failure=failure or None, stall_after=stall_after)
    rules = [*BUILTIN_RULES, *(compile_rule(rc) for rc in extra_rules)]

    diagnosis: list[str] = []
    if metrics and objs:
        diagnosis.append(_status_line(objs, metrics))
    raw: list[Instruction] = []
    for rule in rules:
        for trig in rule.condition(ctx):
            if trig.diagnosis not in diagnosis:
                diagnosis.append(trig.diagnosis)
            raw += _instructions(rule, trig, ctx)

    kept, conflicts = resolve_conflicts(merge_duplicates(raw), by_metric, metrics)
    # Priority, then distance from the threshold, then the size of the step (a rule's primary
    # actions carry the full magnitude, its secondary ones a fraction); the sort is stable, so
    # remaining ties keep the table's order (rule, then the order of its actions).
    kept.sort(key=lambda i: (-i.priority, -i.gap, -i.magnitude))
    instrs = kept[:MAX_INSTRUCTIONS]
    if metrics and stall_count(history) >= stall_after:
        tried = {a for h in history[-stall_after:] for a, _ in _history_pairs(h)}
        instrs = vary(instrs, tried, f"tried in the last {stall_after} attempts from this "
                                     "parent without improvement")
    recent = [advice_signature(_history_pairs(h)) for h in history[-REPEAT_LIMIT:]]
    current = advice_signature((i.action, i.magnitude) for i in instrs)
    if len(recent) == REPEAT_LIMIT and all(sig == current for sig in recent):
        instrs = vary(instrs, {i.action for i in instrs},
                      f"this advice was already given {REPEAT_LIMIT} times in a row")
    return Advice(diagnosis=diagnosis, instructions=instrs, conflicts=conflicts)
