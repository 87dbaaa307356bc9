"""The offline proposer: the expert's instructions applied as edits to a block genome.

No LLM and no network. Each proposal starts from the parent's genome (the best so far; the
dataset's initial genome on the first iteration), applies the advice's instructions in order,
each scaled by its magnitude, then:
  1. explores: with probability `proposer.exploration`, one extra random mutation;
  2. steers: when the objectives cap params, model size or FLOPs, scales the channels down until
     the analytic estimate (exact for params) meets the cap, so no candidate is wasted on a model
     that is known to be too big before training;
  3. stays new: a genome proposed before in this run is mutated until it is new (bounded tries),
     because re-training a known model spends budget and teaches nothing.
`repair()` after a failure (usually out of memory or a time-out) shrinks the genome.

It learns from what happened: the loop calls `observe(candidate_id, genome, status, metrics,
parent_id)` after each finished candidate (and, on resume, for every stored one in order). An edit
whose child failed or did not beat its parent (the search's ranking, `objectives.rank_key`) is
not tried on that parent again: edits are compared by `genome.edit_signature` (which genes moved
and which way), so "reduce_kernels 0.15" that failed also rules out "reduce_kernels 0.30" for
that parent. The proposer then takes a different advised instruction alone, else a random
one-gene mutation whose direction has not failed there.

It also keeps, for the whole run, the measured effect of each kind of edit (`edit_effects`: the
CME change every child caused on its measured parent, per gene moved and direction) and prefers
what helped:
  * growth (`growth`): when the parent misses its accuracy objective, meets every other one and
    uses at most 80% of the size caps, and the advice does not ask for a smaller model, the
    proposal grows it toward the caps, wider or deeper, whichever kind of edit has the better
    measured effect in this run (wider first while neither was measured); the advised edit
    competes on the same score; when the best option left is of kinds that all lowered CME in
    this run, it does not grow;
  * an advised instruction whose kinds of edit all hurt in this run is dropped while another
    instruction remains;
  * the random fallback edit is the best-scored of a few new mutations.
The measured effects are listed in the proposal's account.

The proposal's `raw_response` is a short account of the edits, so the store and the report show
what was modified and why.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lemonade.config import Objective, ProposerConfig
from lemonade.metrics import validation_only
from lemonade.metrics import values as metric_values
from lemonade.objectives import rank_key
from lemonade.proposers import Proposal, ProposalRequest, Proposer, zero_usage
from lemonade.proposers.edit_effects import (
    EffectRecord,
    Measured,
    edit_kinds,
    rank_options,
    record_effects,
)
from lemonade.proposers.genome import (
    Genome,
    apply,
    describe_change,
    edit_signature,
    estimate_flops,
    estimate_stored,
    fit_budget,
    initial_genome,
    mutate,
    render,
    shrink,
)
from lemonade.proposers.growth import growth_options, growth_reason

NOVELTY_TRIES = 50
# outcomes that say something about a genome (a duplicate, a rejection or an interruption do not)
INFORMATIVE = ("ok", "failed", "timeout", "crashed")
STEP_SCALES = (1.0, 2.0, 0.5, 3.0)  # multiples of the advised magnitudes, tried in this order
BYTES_PER_PARAM = 4  # float32 weights
SIZE_MARGIN = 0.9  # a saved state dict also holds BatchNorm buffers and a header
# advised actions that ask for a smaller model: growth defers to them
SHRINKING = ("reduce_kernels", "reduce_conv_layers", "reduce_neurons", "reduce_dense_layers")
SCORED_MUTATIONS = 8  # the random fallback edit: the best-scored of this many new mutations


def budget_limits(objectives: Sequence[Objective]) -> dict[str, float]:
    """Caps on params / FLOPs implied by 'min' objectives on params, model size or FLOPs."""
    limits: dict[str, float] = {}
    for o in objectives:
        if o.goal != "min":
            continue
        if o.metric == "params":
            limits["max_params"] = min(limits.get("max_params", o.threshold), o.threshold)
        elif o.metric == "model_size_bytes":
            cap = o.threshold * SIZE_MARGIN / BYTES_PER_PARAM
            limits["max_params"] = min(limits.get("max_params", cap), cap)
        elif o.metric == "flops":
            limits["max_flops"] = min(limits.get("max_flops", o.threshold), o.threshold)
    return limits


def _fit(g: Genome, dataset: dict[str, Any], limits: dict[str, float]) -> Genome:
    return fit_budget(g, dataset, max_params=limits.get("max_params"),
                      max_flops=limits.get("max_flops"))


def parent_genome(req: ProposalRequest) -> tuple[Genome, str]:
    """The genome to edit and where it came from."""
    if req.parent_genome:
        try:
            return Genome.from_dict(req.parent_genome), "parent"
        except ValueError as e:
            return initial_genome(req.dataset), f"initial genome (parent genome unusable: {e})"
    if req.parent_code:
        return initial_genome(req.dataset), "initial genome (the parent has no genome)"
    return initial_genome(req.dataset), "initial genome"


@dataclass(frozen=True)
class Observation:
    """One finished candidate as the loop reported it to `observe`."""

    candidate_id: int
    genome: Genome | None  # None: not a genome candidate (LLM code) or an unreadable genome
    status: str
    metrics: dict[str, float]
    parent_id: int | None = None


def genome_or_none(d: Mapping[str, Any] | None) -> Genome | None:
    if not d:
        return None
    try:
        return Genome.from_dict(dict(d))
    except ValueError:
        return None


def observation(candidate: Any) -> Observation:
    """An Observation of a Candidate record (or of a mapping with the same keys)."""
    def field(name: str) -> Any:
        if isinstance(candidate, Mapping):
            return candidate.get(name)
        return getattr(candidate, name, None)

    values = field("values")
    if values is None or callable(values):
        values = metric_values(field("metrics"))
    parent = field("parent_id")
    return Observation(
        candidate_id=int(field("id")), genome=genome_or_none(field("genome")),
        status=str(field("status")),
        metrics=validation_only(values),
        parent_id=None if parent is None else int(parent))


class GenomeSearch(Proposer):
    """What the genome proposers (offline, random, evolution) share: a seeded RNG, the genomes
    already proposed or measured in this run, what the loop reported back (`observe`), budget
    steering and the rendering of a genome into a Proposal."""

    name = "genome"

    def __init__(self, cfg: ProposerConfig, *, seed: int) -> None:
        self.cfg = cfg
        self.rng = random.Random(seed)
        self.seen: set[str] = set()
        self.observed: dict[int, Observation] = {}  # by candidate id, in the order reported
        self.lineage: dict[str, str] = {}  # genome key -> key of the parent it was proposed from
        self.metrics_by_key: dict[str, dict[str, float]] = {}  # measured genomes (status ok)
        self.genomes: dict[str, Genome] = {}  # every genome proposed or observed, by key

    def observe(self, candidate: Any) -> None:
        """The loop reports a finished candidate (a `lemonade.candidate.Candidate`: id, genome,
        status, metrics, parent_id), after each one and, on resume, for every stored candidate
        in order, so the proposer's state is rebuilt from the store. Test metrics are dropped.
        """
        obs = observation(candidate)
        self.observed[obs.candidate_id] = obs
        g = obs.genome
        if g is not None:
            self.seen.add(g.key())
            self.genomes.setdefault(g.key(), g)
            if obs.status == "ok":
                self.metrics_by_key[g.key()] = obs.metrics
        self.observed_hook(obs)

    def observed_hook(self, obs: Observation) -> None:
        """What a subclass does with a new observation (the population of evolution)."""

    def parent_key_of(self, obs: Observation) -> str | None:
        """The genome key of the parent a candidate was edited from, when known."""
        if obs.genome is not None and obs.genome.key() in self.lineage:
            return self.lineage[obs.genome.key()]
        parent = self.observed.get(obs.parent_id) if obs.parent_id is not None else None
        return parent.genome.key() if parent is not None and parent.genome is not None else None

    def failed_edits(self, parent: Genome, objectives: Sequence[Objective]) -> dict[str, int]:
        """{edit signature: candidate id} of the edits of `parent` whose child failed or did not
        beat it under the search's ranking."""
        pk = parent.key()
        base = self.metrics_by_key.get(pk)
        out: dict[str, int] = {}
        for obs in self.observed.values():
            if obs.genome is None or obs.status not in INFORMATIVE or obs.genome.key() == pk:
                continue
            if self.parent_key_of(obs) != pk:
                continue
            if obs.status == "ok":
                if base is None:
                    continue  # cannot tell whether it beat a parent that was never measured
                if rank_key(objectives, obs.metrics) < rank_key(objectives, base):
                    continue  # it beat the parent: not a failed edit
            out.setdefault(edit_signature(parent, obs.genome), obs.candidate_id)
        return out

    def effects(self, objectives: Sequence[Objective]) -> EffectRecord:
        """The measured effect of each kind of edit in this run: every observed child whose
        parent genome and metrics are known (`edit_effects.record_effects`)."""
        children = []
        for obs in self.observed.values():
            pk = self.parent_key_of(obs)
            if obs.genome is None or pk is None:
                continue
            parent, pm = self.genomes.get(pk), self.metrics_by_key.get(pk)
            if parent is None or pm is None or parent == obs.genome:
                continue
            children.append(Measured(parent, pm, obs.genome, obs.status, obs.metrics))
        return record_effects(children, objectives)

    def steer(self, g: Genome, req: ProposalRequest, notes: list[str]) -> Genome:
        limits = budget_limits(req.objectives)
        if not limits:
            return g
        fitted = _fit(g, req.dataset, limits)
        if fitted != g:
            caps = ", ".join(f"{k.removeprefix('max_')} <= {v:,.0f}" for k, v in limits.items())
            notes.append(f"fit budget ({estimate_stored(g, req.dataset):,} params, "
                         f"{estimate_flops(g, req.dataset):,} FLOPs est.; {caps}): "
                         f"{describe_change(g, fitted)}")
        return fitted

    def novel(self, g: Genome, req: ProposalRequest, notes: list[str],
              steer: bool = True) -> Genome:
        for _ in range(NOVELTY_TRIES):
            if g.key() not in self.seen:
                return g
            child = mutate(g, self.rng, req.dataset)
            if steer:
                child = _fit(child, req.dataset, budget_limits(req.objectives))
            notes.append(f"already proposed, explore: {describe_change(g, child)}")
            g = child
        notes.append(f"no new genome in {NOVELTY_TRIES} tries; proposing a repeat")
        return g

    def proposal(self, g: Genome, notes: list[str], started: float,
                 info: dict[str, Any], parent: Genome | None = None) -> Proposal:
        self.seen.add(g.key())
        self.genomes.setdefault(g.key(), g)
        if parent is not None and parent != g:
            self.genomes.setdefault(parent.key(), parent)
            self.lineage.setdefault(g.key(), parent.key())
        result = (f"-> genome {g.key()}: {estimate_stored(g, info):,} params, "
                  f"{estimate_flops(g, info):,} FLOPs (estimated)")
        return Proposal(
            code=render(g), genome=g.to_dict(),
            raw_response="; ".join([*notes, result]),
            messages=None, usage=zero_usage(), model=self.name, error=None,
            latency_s=time.perf_counter() - started,
        )

    def repair(self, req: ProposalRequest, previous: Proposal, error: str) -> Proposal:
        """A smaller genome after a failure; a different one after a duplicate."""
        started = time.perf_counter()
        base, _ = parent_genome(req)
        if previous.genome:
            with contextlib.suppress(ValueError):  # unusable: fall back to the parent
                base = Genome.from_dict(previous.genome)
        if "identical" in error or "duplicate" in error:
            g = mutate(base, self.rng, req.dataset)
            notes = [f"repair (duplicate): {describe_change(base, g)}"]
        else:
            g = shrink(base)
            notes = [f"repair ({_first_line(error)}): shrink {describe_change(base, g)}"]
        g = self.novel(g, req, notes, steer=False)
        loop_parent = parent_genome(req)[0] if req.parent_genome else None
        return self.proposal(g, notes, started, req.dataset, parent=loop_parent)


class OfflineProposer(GenomeSearch):
    name = "offline"

    def propose(self, req: ProposalRequest) -> Proposal:
        started = time.perf_counter()
        parent, origin = parent_genome(req)
        head = [] if origin == "parent" else [origin]
        if origin == "parent" and req.parent_metrics:
            self.metrics_by_key.setdefault(parent.key(), dict(req.parent_metrics))
        banned = self.failed_edits(parent, req.objectives) if origin == "parent" else {}
        explore = self.rng.random() < self.cfg.exploration
        instructions = list(getattr(req.advice, "instructions", None) or [])
        skipped: list[str] = []
        record = self.effects(req.objectives) if origin == "parent" else EffectRecord()
        if record.by_kind:
            head = [*head, f"measured edit effects (CME change, children): {record.describe()}"]
        if origin == "parent":
            instructions = self.prefer(parent, instructions, record, head)
            grown = self.grow(parent, req, instructions, banned, record, skipped)
            if grown is not None:
                g = self.novel(grown[0], req, grown[1])
                return self.proposal(g, [*head, *skipped, *grown[1]], started, req.dataset,
                                     parent=parent)
        g, notes = parent, head
        accepted = False
        for scale in STEP_SCALES:
            # The same parent with the same advice gives the same edit: when that genome was
            # proposed already, step further or less far along the advised direction (a line
            # search) before falling back to a random mutation.
            notes = [*head, f"step x{scale:g} (the x1 step was proposed before)"] if scale != 1 \
                else list(head)
            g = self.edit(parent, instructions, scale, notes)
            if explore:
                explored = mutate(g, self.rng, req.dataset)
                notes.append(f"explore: {describe_change(g, explored)}")
                g = explored
            g = self.steer(g, req, notes)
            if g.key() in self.seen:
                continue
            if self.banned(parent, g, banned, skipped):
                break  # a larger or smaller step goes the same way: try a different edit
            accepted = True
            break
        if not accepted and banned:
            other = self.different_edit(parent, instructions, req, banned, skipped, record)
            if other is not None:
                g, notes = other[0], [*head, *other[1]]
        g = self.novel(g, req, notes)
        return self.proposal(g, [*skipped, *notes], started, req.dataset,
                             parent=parent if origin == "parent" else None)

    def grow(self, parent: Genome, req: ProposalRequest, instructions: list[Any],
             banned: dict[str, int], record: EffectRecord, skipped: list[str]
             ) -> tuple[Genome, list[str]] | None:
        """A grown parent (`growth`), or the advised edit when its measured effect scores better;
        None when the growth rule does not fire, the advice asks for a smaller model, every
        option was proposed before or failed for this parent, or the best one left is of kinds
        that all lowered CME in this run."""
        if any(getattr(i, "action", None) in SHRINKING for i in instructions):
            return None
        limits = budget_limits(req.objectives)
        metrics = self.metrics_by_key.get(parent.key()) or req.parent_metrics
        why = growth_reason(req.objectives, metrics, parent, req.dataset, limits)
        if why is None:
            return None
        advised_notes: list[str] = []
        advised = self.steer(self.edit(parent, instructions, 1.0, advised_notes), req,
                             advised_notes)
        options = [*growth_options(parent, req.dataset, limits), ("advised edit", advised)]
        for label, g in rank_options(parent, options, record):
            if g == parent or g.key() in self.seen or self.banned(parent, g, banned, skipped):
                continue
            if record.hurt(edit_kinds(parent, g)):  # the best one left lowered CME every time
                skipped.append(f"{why}, but every growth left lowered CME in this run "
                               f"({edit_signature(parent, g)}): not growing")
                return None
            score = record.score(edit_kinds(parent, g))
            if label == "advised edit":
                return g, [why, f"the advised edit scores best ({score:+.3f})", *advised_notes]
            return g, [why, f"{label} (expected CME change {score:+.3f}): "
                            f"{describe_change(parent, g)}"]
        return None

    @staticmethod
    def prefer(parent: Genome, instructions: list[Any], record: EffectRecord,
               notes: list[str]) -> list[Any]:
        """The advised instructions less those whose edit kinds all hurt in this run (measured),
        as long as one remains."""
        if len(instructions) < 2 or not record.by_kind:
            return instructions
        keep = []
        for ins in instructions:
            try:
                kinds = edit_kinds(parent, apply(parent, ins.action, float(ins.magnitude)))
            except ValueError:
                kinds = ()
            if record.hurt(kinds):
                notes.append(f"drop {ins.action}: its edits ({', '.join(kinds)}) lowered CME "
                             "in this run")
            else:
                keep.append(ins)
        return keep or instructions

    @staticmethod
    def banned(parent: Genome, g: Genome, banned: dict[str, int], skipped: list[str]) -> bool:
        sig = edit_signature(parent, g)
        if sig in banned:
            skipped.append(f"skip edit ({sig}): it failed for this parent "
                           f"(candidate {banned[sig]})")
            return True
        return False

    def different_edit(self, parent: Genome, instructions: list[Any], req: ProposalRequest,
                       banned: dict[str, int], skipped: list[str],
                       record: EffectRecord | None = None
                       ) -> tuple[Genome, list[str]] | None:
        """An edit of `parent` whose direction has not failed there and that is new: each advised
        instruction alone (at its magnitude, then twice it), else a random one-gene mutation
        (with measured effects in `record`: the best-scored of a few)."""
        tries: list[tuple[Genome, list[str]]] = []
        if len(instructions) > 1:
            for scale in STEP_SCALES[:2]:
                for ins in instructions:
                    notes = [f"different edit: {ins.action} alone"]
                    tries.append((self.edit(parent, [ins], scale, notes), notes))
        for g, notes in tries:
            g = self.steer(g, req, notes)
            if g.key() not in self.seen and not self.banned(parent, g, banned, skipped):
                return g, notes
        found: list[tuple[Genome, list[str]]] = []
        want = SCORED_MUTATIONS if record is not None and record.by_kind else 1
        for _ in range(NOVELTY_TRIES):
            child = mutate(parent, self.rng, req.dataset)
            notes = [f"different edit (advised ones failed here): {describe_change(parent, child)}"]
            child = self.steer(child, req, notes)
            if child.key() not in self.seen and edit_signature(parent, child) not in banned \
                    and all(child != f[0] for f in found):
                found.append((child, notes))
                if len(found) >= want:
                    break
        if not found:
            return None
        if record is None or len(found) == 1:
            return found[0]
        ranked = rank_options(parent, [(str(i), g) for i, (g, _) in enumerate(found)], record)
        best = int(ranked[0][0])
        g, notes = found[best]
        return g, [*notes[:-1], notes[-1] + f" (best measured effect of {len(found)} mutations: "
                   f"{record.score(edit_kinds(parent, g)):+.3f})"] if notes else notes

    @staticmethod
    def edit(g: Genome, instructions: list[Any], scale: float, notes: list[str]) -> Genome:
        """Apply the instructions in order, each magnitude multiplied by `scale` (capped at 1)."""
        for ins in instructions:
            magnitude = min(1.0, float(ins.magnitude) * scale)
            try:
                edited = apply(g, ins.action, magnitude)
            except ValueError:
                notes.append(f"ignored unknown action {ins.action!r}")
                continue
            notes.append(f"{ins.action} {magnitude:.2f}: {describe_change(g, edited)}")
            g = edited
        return g


def _first_line(text: str, limit: int = 80) -> str:
    line = (text.strip().splitlines() or [""])[0]
    return line if len(line) <= limit else line[: limit - 3] + "..."


def create(cfg: ProposerConfig, *, seed: int, store: Any = None) -> OfflineProposer:
    """The factory `lemonade.plugins.PROPOSERS` names (`store` is for replay only)."""
    return OfflineProposer(cfg, seed=seed)
