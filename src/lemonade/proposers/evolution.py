"""The evolution proposer: regularized (aging) evolution over the random proposer's genome space.

After Real, Aggarwal, Huang & Le, "Regularized Evolution for Image Classifier Architecture
Search" (AAAI 2019), the baseline NAS papers report:

1. the first `proposer.population` proposals are random samples of the genome space (the same
   sampler as the `random` proposer);
2. after that, each proposal samples `proposer.tournament` members of the population uniformly,
   takes the best of the sample as the parent (the search's own ranking, `objectives.rank_key`,
   over the members' measured validation metrics: feasible first, then the smaller miss, then
   CME; a failed member ranks
   last) and applies one random mutation of one gene (`genome.mutate`);
3. every measured child joins the population and the OLDEST member leaves it (aging), whatever
   its score, so a lucky early model cannot hold the population forever.

It ignores the expert's advice and the memory on purpose: it learns only from the measured
results, which the loop reports through `observe(candidate_id, genome, status, metrics,
parent_id)` after each finished candidate. On resume the loop reports every stored candidate in
order, which rebuilds the same population. Without those reports the population never fills and
every proposal stays a random sample (the raw response says so).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lemonade.config import Objective, ProposerConfig
from lemonade.objectives import cme, rank_key
from lemonade.proposers import Proposal, ProposalRequest
from lemonade.proposers.genome import Genome, describe_change, mutate, random_genome
from lemonade.proposers.offline import INFORMATIVE, NOVELTY_TRIES, GenomeSearch, Observation


@dataclass(frozen=True)
class Member:
    """A measured genome in the population; `metrics` is empty when its candidate failed."""

    candidate_id: int
    genome: Genome
    metrics: dict[str, float]


def tournament_winner(sample: Sequence[Member], objectives: Sequence[Objective]) -> Member:
    """The best member of a sample by the search's ranking (ties: the first sampled)."""
    return min(sample, key=lambda m: rank_key(objectives, m.metrics))


class EvolutionProposer(GenomeSearch):
    name = "evolution"

    def __init__(self, cfg: ProposerConfig, *, seed: int) -> None:
        super().__init__(cfg, seed=seed)
        self.population_size = cfg.population
        self.tournament_size = max(1, min(cfg.tournament, cfg.population))
        self.population: deque[Member] = deque()  # oldest first

    def observed_hook(self, obs: Observation) -> None:
        """A measured child joins the population; past its size, the oldest member leaves."""
        if obs.genome is None or obs.status not in INFORMATIVE:
            return
        metrics = obs.metrics if obs.status == "ok" else {}
        self.population.append(Member(obs.candidate_id, obs.genome, metrics))
        while len(self.population) > self.population_size:
            self.population.popleft()

    def propose(self, req: ProposalRequest) -> Proposal:
        started = time.perf_counter()
        if len(self.population) < self.population_size:
            g = random_genome(self.rng, req.dataset)
            for _ in range(NOVELTY_TRIES):
                if g.key() not in self.seen:
                    break
                g = random_genome(self.rng, req.dataset)
            note = (f"initial population ({len(self.population)}/{self.population_size} "
                    "measured): random sample")
            return self.proposal(g, [note], started, req.dataset)
        sample = self.rng.sample(list(self.population), self.tournament_size)
        parent = tournament_winner(sample, req.objectives)
        child = mutate(parent.genome, self.rng, req.dataset)
        for _ in range(NOVELTY_TRIES):  # a fresh one-gene mutation of the parent until new
            if child.key() not in self.seen:
                break
            child = mutate(parent.genome, self.rng, req.dataset)
        score = (f"CME {cme(req.objectives, parent.metrics):+.3f}" if parent.metrics
                 else "failed")
        notes = [f"tournament of candidates {sorted(m.candidate_id for m in sample)} -> parent "
                 f"candidate {parent.candidate_id} ({score})",
                 f"mutate: {describe_change(parent.genome, child)}"]
        return self.proposal(child, notes, started, req.dataset, parent=parent.genome)


def create(cfg: ProposerConfig, *, seed: int, store: Any = None) -> EvolutionProposer:
    """The factory `lemonade.plugins.PROPOSERS` names (`store` is for replay only)."""
    return EvolutionProposer(cfg, seed=seed)
