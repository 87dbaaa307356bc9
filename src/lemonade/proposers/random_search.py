"""The random proposer: genomes drawn uniformly from the offline proposer's sampling space.

The baseline a guided search must beat (random search is a strong NAS baseline: Li & Talwalkar,
"Random Search and Reproducibility for NAS", 2019). It ignores the advice, the memory and the
objectives on purpose, draws a new genome each time (never one it proposed before in this run),
renders it with the same template, and shrinks the failed genome on `repair()` like the offline
proposer, so the two differ only in how they choose.
"""

from __future__ import annotations

import time
from typing import Any

from lemonade.config import ProposerConfig
from lemonade.proposers import Proposal, ProposalRequest
from lemonade.proposers.genome import random_genome
from lemonade.proposers.offline import NOVELTY_TRIES, GenomeSearch


class RandomProposer(GenomeSearch):
    name = "random"

    def propose(self, req: ProposalRequest) -> Proposal:
        started = time.perf_counter()
        g = random_genome(self.rng, req.dataset)
        for _ in range(NOVELTY_TRIES):
            if g.key() not in self.seen:
                break
            g = random_genome(self.rng, req.dataset)
        return self.proposal(g, ["random sample"], started, req.dataset)


def create(cfg: ProposerConfig, *, seed: int, store: Any = None) -> RandomProposer:
    """The factory `lemonade.plugins.PROPOSERS` names (`store` is for replay only)."""
    return RandomProposer(cfg, seed=seed)
