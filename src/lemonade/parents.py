"""Which candidate the next iteration edits, and what its earlier children did.

Pure functions over `Candidate` records; the loop calls them once per iteration.

- `select_parent`: the parent is drawn from the Pareto front of the ok candidates (`pareto`, the
  default), from a tournament (`tournament`), or is the single best (`best`). Every policy ranks
  with `objectives.rank_key`. A parent whose last 2 x `stall_after` children in a row did not
  beat it is set aside while another candidate is available.
- `parent_attempts`: the attempts made from one parent, oldest first, as the expert system's
  `advise(history=...)` wants them: status, whether the attempt beat the parent, and the advice
  it was given (so the stall rule and the no-repeat guard see what was already tried).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from lemonade.candidate import OUTCOMES, Candidate, beats, rank
from lemonade.objectives import pareto_front
from lemonade.rules import stall_count


def parent_attempts(parent: Candidate, cands: Sequence[Candidate],
                    advice_by_iteration: Mapping[int, Mapping[str, Any]],
                    objectives: Sequence[Any]) -> list[dict[str, Any]]:
    """One entry per iteration that edited `parent` (its repairs folded in), oldest first:
    {"iteration", "status", "beat_parent", "advice": [[action, magnitude], ...]}."""
    by_it: dict[int, list[Candidate]] = {}
    for c in cands:
        if c.parent_id == parent.id and c.status in OUTCOMES:
            by_it.setdefault(c.iteration, []).append(c)
    out = []
    for it in sorted(by_it):
        children = by_it[it]
        ok = [c for c in children if c.ok]
        adv = advice_by_iteration.get(it) or {}
        pairs = [[i.get("action"), float(i.get("magnitude", 0.0))]
                 for i in adv.get("instructions") or [] if isinstance(i, Mapping)]
        out.append({"iteration": it, "status": str((ok or children)[-1].status),
                    "beat_parent": any(beats(c, parent, objectives) for c in children),
                    "advice": pairs})
    return out


def front(cands: Sequence[Candidate], objectives: Sequence[Any]) -> list[Candidate]:
    """The ok candidates no other ok candidate dominates, best first (rank_key)."""
    ranked = rank(cands, objectives)
    if not objectives:
        return ranked[:1]
    idx = pareto_front([c.values for c in ranked], objectives)
    members = [ranked[i] for i in sorted(idx)]
    return members or ranked[:1]


def select_parent(cands: Sequence[Candidate], objectives: Sequence[Any], *, policy: str,
                  rng: random.Random, tournament_size: int = 3,
                  exhausted: frozenset[int] = frozenset()) -> Candidate | None:
    """The candidate to edit next (None: nothing finished ok yet).

    `exhausted`: parents set aside (stalled for long); ignored when nothing else is left.
    `pareto` draws from the front with weights 1, 1/2, 1/3, ... by rank, so the best is the most
    likely parent but not the only one; `tournament` takes the best of `tournament_size` ok
    candidates drawn at random; `best` always the best.
    """
    ranked = rank(cands, objectives)
    if not ranked:
        return None
    fresh = [c for c in ranked if c.id not in exhausted] or ranked
    if policy == "best":
        return fresh[0]
    if policy == "tournament":
        picks = rng.sample(fresh, min(tournament_size, len(fresh)))
        return min(picks, key=lambda c: fresh.index(c))
    members = [c for c in front(fresh, objectives)]
    weights = [1.0 / (k + 1) for k in range(len(members))]
    return rng.choices(members, weights=weights, k=1)[0]


def exhausted_parents(cands: Sequence[Candidate],
                      advice_by_iteration: Mapping[int, Mapping[str, Any]],
                      objectives: Sequence[Any], stall_after: int) -> frozenset[int]:
    """Parents whose last 2 x stall_after children in a row did not beat them: the advice was
    changed after stall_after of them and still nothing improved, so another parent is drawn."""
    out = set()
    for p in rank(cands, objectives):
        history = parent_attempts(p, cands, advice_by_iteration, objectives)
        if stall_count(history) >= 2 * stall_after:
            out.add(p.id)
    return frozenset(out)
