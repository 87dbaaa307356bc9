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

The proposal's `raw_response` is a short account of the edits, so the store and the report show
what was modified and why.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Sequence
from typing import Any

from lemonade.config import Objective, ProposerConfig
from lemonade.proposers import Proposal, ProposalRequest, zero_usage
from lemonade.proposers.genome import (
    Genome,
    apply,
    describe_change,
    estimate_flops,
    estimate_params,
    fit_budget,
    initial_genome,
    mutate,
    render,
    shrink,
)

NOVELTY_TRIES = 50
STEP_SCALES = (1.0, 2.0, 0.5, 3.0)  # multiples of the advised magnitudes, tried in this order
BYTES_PER_PARAM = 4  # float32 weights
SIZE_MARGIN = 0.9  # a saved state dict also holds BatchNorm buffers and a header


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


class GenomeSearch:
    """What the offline and random proposers share: a seeded RNG, the set of genomes already
    proposed in this run, budget steering and the rendering of a genome into a Proposal."""

    name = "genome"

    def __init__(self, cfg: ProposerConfig, *, seed: int) -> None:
        self.cfg = cfg
        self.rng = random.Random(seed)
        self.seen: set[str] = set()

    def steer(self, g: Genome, req: ProposalRequest, notes: list[str]) -> Genome:
        limits = budget_limits(req.objectives)
        if not limits:
            return g
        fitted = fit_budget(g, req.dataset, **limits)
        if fitted != g:
            caps = ", ".join(f"{k.removeprefix('max_')} <= {v:,.0f}" for k, v in limits.items())
            notes.append(f"fit budget ({estimate_params(g, req.dataset):,} params, "
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
                child = fit_budget(child, req.dataset, **budget_limits(req.objectives))
            notes.append(f"already proposed, explore: {describe_change(g, child)}")
            g = child
        notes.append(f"no new genome in {NOVELTY_TRIES} tries; proposing a repeat")
        return g

    def proposal(self, g: Genome, notes: list[str], started: float,
                 info: dict[str, Any]) -> Proposal:
        self.seen.add(g.key())
        result = (f"-> genome {g.key()}: {estimate_params(g, info):,} params, "
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
        return self.proposal(g, notes, started, req.dataset)


class OfflineProposer(GenomeSearch):
    name = "offline"

    def propose(self, req: ProposalRequest) -> Proposal:
        started = time.perf_counter()
        parent, origin = parent_genome(req)
        head = [] if origin == "parent" else [origin]
        explore = self.rng.random() < self.cfg.exploration
        instructions = list(getattr(req.advice, "instructions", None) or [])
        g, notes = parent, head
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
            if g.key() not in self.seen:
                break
        g = self.novel(g, req, notes)
        return self.proposal(g, notes, started, req.dataset)

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

