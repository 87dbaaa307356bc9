"""What the offline proposer learns in a run: the measured effect of each kind of edit.

An edit's kinds are the genes it moved and which way (`genome.edit_signature` split into its
parts: "channels+", "blocks+", "dropout-", ...). Every finished child whose parent was measured
adds, to each kind its edit made, the change of the search's score it caused: the child's CME
minus the parent's under the run's objectives (a failed child scores as a model with nothing
measured, CME -1, so a failure is a large negative effect). The record also keeps the change of
each validation metric both had, for the account in the proposal.

`score(kinds)` is the mean over an edit's kinds of each kind's mean effect, an untried kind
counting `UNTRIED` (0: neither helped nor hurt), so an edit kind that helped ranks above an untried
one and one that hurt ranks below it. `rank_options` orders candidate edits by that score, ties
in the given order (the caller's preference). All functions here are pure.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from lemonade.config import Objective
from lemonade.objectives import cme
from lemonade.proposers.genome import Genome, edit_signature

UNTRIED = 0.0  # the effect an edit kind not yet measured in this run is assumed to have
FAILED_STATUSES = ("failed", "timeout", "crashed")


def edit_kinds(before: Genome, after: Genome) -> tuple[str, ...]:
    """The kinds of an edit: each gene it moved and which way ("channels+", "init=kaiming")."""
    sig = edit_signature(before, after)
    return () if sig == "no change" else tuple(sig.split(", "))


def effect(objectives: Sequence[Objective], parent_metrics: Mapping[str, float], status: str,
           child_metrics: Mapping[str, float]) -> dict[str, float]:
    """The change a child made on its parent: "cme" (child CME - parent CME; a failed child
    counts as nothing measured) and, for every validation metric both have, its difference."""
    failed = status in FAILED_STATUSES
    out = {"cme": cme(objectives, {} if failed else child_metrics) - cme(objectives,
                                                                          parent_metrics)}
    if not failed:
        for k, v in child_metrics.items():
            if k in parent_metrics and k != "cme":
                out[k] = v - parent_metrics[k]
    return out


@dataclass
class EffectRecord:
    """Per edit kind, the effects (see `effect`) of the children whose edit had that kind."""

    by_kind: dict[str, list[dict[str, float]]] = field(default_factory=dict)

    def add(self, kinds: Iterable[str], delta: Mapping[str, float]) -> None:
        for k in kinds:
            self.by_kind.setdefault(k, []).append(dict(delta))

    def mean(self, kind: str, metric: str = "cme") -> float | None:
        """The mean change of `metric` the edits of this kind caused (None: never measured)."""
        xs = [d[metric] for d in self.by_kind.get(kind, []) if metric in d]
        return statistics.fmean(xs) if xs else None

    def count(self, kind: str) -> int:
        return len(self.by_kind.get(kind, []))

    def score(self, kinds: Sequence[str]) -> float:
        """How much an edit of these kinds is expected to help: the mean of the kinds' mean CME
        changes, an untried kind counting UNTRIED; an edit that changes nothing scores UNTRIED."""
        if not kinds:
            return UNTRIED
        means = [self.mean(k) for k in kinds]
        return statistics.fmean(UNTRIED if m is None else m for m in means)

    def hurt(self, kinds: Sequence[str]) -> bool:
        """Every kind of the edit was measured and its mean CME change is negative."""
        means = [self.mean(k) for k in kinds]
        return bool(means) and all(m is not None and m < 0 for m in means)

    def describe(self, limit: int = 6) -> str:
        """'channels+ +0.041 (2), blocks+ -0.012 (1)': the kinds with most evidence first."""
        kinds = sorted(self.by_kind, key=lambda k: (-self.count(k), k))[:limit]
        return ", ".join(f"{k} {self.mean(k) or 0.0:+.3f} ({self.count(k)})" for k in kinds)


@dataclass(frozen=True)
class Measured:
    """One child with its parent, as the record needs it."""

    parent: Genome
    parent_metrics: Mapping[str, float]
    child: Genome
    status: str
    child_metrics: Mapping[str, float]


def record_effects(children: Iterable[Measured],
                   objectives: Sequence[Objective]) -> EffectRecord:
    """The effect record of a run's measured children (only informative outcomes count)."""
    rec = EffectRecord()
    for m in children:
        if m.status != "ok" and m.status not in FAILED_STATUSES:
            continue
        kinds = edit_kinds(m.parent, m.child)
        if kinds:
            rec.add(kinds, effect(objectives, m.parent_metrics, m.status, m.child_metrics))
    return rec


def rank_options(parent: Genome, options: Sequence[tuple[str, Genome]],
                 record: EffectRecord) -> list[tuple[str, Genome]]:
    """The options (label, edited genome) best expected effect first; ties keep their order."""
    scored = [(-record.score(edit_kinds(parent, g)), i) for i, (_, g) in enumerate(options)]
    return [options[i] for _, i in sorted(scored)]
