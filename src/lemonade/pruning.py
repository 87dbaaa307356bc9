"""Early stopping on the whole front: stop a candidate whose curve cannot reach the Pareto front.

Pure functions; the host's wait loop asks `prune_verdict` after each epoch event of a training
worker (lemonade.sandbox.runner.Progress), with the front as it was when the candidate started.

The rule (`budget.prune`, off by default). A running candidate X at epoch k is stopped when some
member F of the current Pareto front (ok candidates trained to the full budget, not partial)

1. is at least as good as X on every cost objective (the `min`/`max` objectives other than
   accuracies), X's costs being known before training (params, FLOPs: lemonade.prescreen's
   figures); an objective X has no figure for yet (latency) never counts against it; and
2. had, at the same epoch k of the same schedule, a training accuracy more than
   `budget.prune_margin` above X's, with k >= `budget.prune_min_epoch`.

Then X is dominated where it is cheap, and behind where it must win: it would have to gain more
than the margin over F in the remaining epochs to leave F's shadow. X is stopped at its last
completed epoch, measured by the trusted process and recorded with `extra.pruned` and a
`pruned: ...` reason that the proposer reads in its memory.

The curves compared are the training accuracies the workers report per epoch (their training
processes never see the validation labels, by design). Those figures are display-only: they
decide whether a candidate goes on *spending* time, never how it ranks; a candidate that
inflates its own only escapes pruning, as if pruning were off.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lemonade.candidate import Candidate
from lemonade.config import Objective
from lemonade.objectives import format_value, is_accuracy, pareto_front


@dataclass(frozen=True)
class FrontMember:
    """A Pareto-front candidate as pruning sees it: its costs and its per-epoch curve."""

    id: int
    costs: tuple[tuple[str, float], ...]  # (metric, value) of the cost objectives
    curve: tuple[float, ...]  # training accuracy after epoch 1, 2, ...


def cost_objectives(objectives: Sequence[Objective]) -> list[Objective]:
    return [o for o in objectives if not is_accuracy(o)]


def front_members(rows: Sequence[tuple[int, Mapping[str, float], Sequence[Mapping[str, object]]]],
                  objectives: Sequence[Objective]) -> tuple[FrontMember, ...]:
    """The Pareto front of `rows` = (id, metric values, history) over the objectives, with
    their cost figures and training-accuracy curves (members without a curve are left out)."""
    points = [dict(v) for _, v, _ in rows]
    members = []
    for i in pareto_front(points, objectives):
        cid, values, history = rows[i]
        curve = tuple(float(h["train_accuracy"]) for h in history  # type: ignore[arg-type]
                      if isinstance(h.get("train_accuracy"), int | float))
        if not curve:
            continue
        costs = tuple((o.metric, float(values[o.metric])) for o in cost_objectives(objectives)
                      if o.metric in values)
        members.append(FrontMember(cid, costs, curve))
    return tuple(members)


def _no_worse(f: float, x: float, goal: str) -> bool:
    return f <= x if goal == "min" else f >= x


def prune_verdict(front: Sequence[FrontMember], goals: Mapping[str, str],
                  own_costs: Mapping[str, float], own_curve: Sequence[float], *,
                  margin: float, min_epoch: int) -> str | None:
    """Why to stop the candidate now (a sentence naming the front member), or None.

    `goals`: {metric: "min"|"max"} of the cost objectives; `own_costs`: the candidate's known
    cost figures; `own_curve`: its training accuracy after each completed epoch."""
    k = len(own_curve)
    if k < max(1, min_epoch):
        return None
    mine = own_curve[-1]
    for f in front:
        if len(f.curve) < k:
            continue
        theirs = f.curve[k - 1]
        if theirs - mine <= margin:
            continue
        costs = dict(f.costs)
        if all(m in own_costs and m in costs and _no_worse(costs[m], own_costs[m], g)
               for m, g in goals.items()):
            cheaper = ", ".join(f"{m} {format_value(m, costs[m])} vs "
                                f"{format_value(m, own_costs[m])}" for m in goals) or "-"
            return (f"pruned at epoch {k}: front candidate {f.id} was no costlier ({cheaper}) "
                    f"and at epoch {k} its training accuracy was {theirs:.3f} against "
                    f"{mine:.3f} (more than the margin {margin:g} ahead)")
    return None


def front_for(cands: Sequence[Candidate], objectives: Sequence[Objective], epochs: int
              ) -> tuple[FrontMember, ...]:
    """The front a new candidate of `epochs` epochs is pruned against: ok candidates trained
    to those epochs in full (not partial, not pruned: `Candidate.stop`); a row of no recorded
    fidelity (a single-fidelity run) trained the run's epochs."""
    rows = [(c.id, c.values, c.history) for c in cands
            if c.ok and c.stop is None and (c.fidelity or epochs) == epochs]
    return front_members(rows, objectives)
