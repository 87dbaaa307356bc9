"""Proposers: what writes the next candidate model file.

Call order (the search loop): `propose(request)` once per iteration, `observe(candidate)` after
each candidate closes (optional; the loop calls it only where a proposer defines it); when the
candidate fails
(rejected code, a crash, out of memory), `repair(request, previous, error)` a bounded number of
times. A proposer never raises for provider trouble (network, rate limits, unusable replies): it
returns a `Proposal` with `error` set, which the loop records and moves on from. It raises only
for configuration errors (`lemonade.config.ConfigError`), and those at construction time.

Kinds: `openai` (any OpenAI-compatible endpoint), `offline` (block-genome edits driven by the
expert's advice, no network), `random` (uniform samples of the same block space: the baseline),
`replay` (the responses recorded in an earlier run's store).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from lemonade.config import ConfigError, ProposerConfig

if TYPE_CHECKING:
    from lemonade.config import Objective
    from lemonade.expert import Advice
    from lemonade.proposers.improver import Suggestion


@dataclass
class ProposalRequest:
    iteration: int
    dataset: dict[str, Any]  # Dataset.info()
    objectives: list[Objective]
    advice: Advice
    memory_text: str
    parent_code: str | None = None
    parent_genome: dict[str, Any] | None = None
    parent_metrics: dict[str, float] | None = None  # validation metrics only, never test_*
    seed: int = 0
    # the Prompt Improver's diagnosis and modification (None: no improver; the advice stands)
    suggestion: Suggestion | None = None
    # the LLM sampling temperature for this request (neighbouring slots differ); None: the
    # proposer's configured one. Proposers that call no LLM ignore it.
    temperature: float | None = None


# Proposal.model of the proposers that call no LLM: their calls are free (not in the LLM budget)
# and their raw_response is an edit log, not a model's reply
NO_LLM_MODELS = ("offline", "random", "evolution")


def zero_usage() -> dict[str, int]:
    return {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}


@dataclass
class Proposal:
    code: str | None  # the model file, None when no usable code came back
    genome: dict[str, Any] | None = None  # block genome (offline/random proposers)
    raw_response: str | None = None  # the reply as received (offline: what was edited)
    messages: list[dict[str, str]] | None = None  # what was sent
    usage: dict[str, int] = field(default_factory=zero_usage)
    model: str = ""
    error: str | None = None
    latency_s: float = 0.0
    temperature: float | None = None  # the temperature the LLM was asked with (None: no LLM)
    # the code as the proposer wrote it, when the contract normalizer changed it (`code` is the
    # normalized file; lemonade.contract)
    original_code: str | None = None


@runtime_checkable
class Proposer(Protocol):
    name: str

    def propose(self, req: ProposalRequest) -> Proposal: ...

    def repair(self, req: ProposalRequest, previous: Proposal, error: str) -> Proposal: ...

    def observe(self, candidate: Any) -> None:
        """Told every candidate that finished (a `lemonade.candidate.Candidate`), live and when
        a resumed run is rebuilt from its store; a proposer that learns nothing ignores it."""
        return None


def make_proposer(cfg: ProposerConfig, *, seed: int, store: Any = None) -> Proposer:
    """The proposer of kind `cfg.kind`; `store` is the recorded run a replay plays back."""
    if cfg.kind == "offline":
        from lemonade.proposers.offline import OfflineProposer

        return OfflineProposer(cfg, seed=seed)
    if cfg.kind == "random":
        from lemonade.proposers.random_search import RandomProposer

        return RandomProposer(cfg, seed=seed)
    if cfg.kind == "evolution":
        from lemonade.proposers.evolution import EvolutionProposer

        return EvolutionProposer(cfg, seed=seed)
    if cfg.kind == "openai":
        from lemonade.proposers.openai_compat import OpenAIProposer

        return OpenAIProposer(cfg, seed=seed)
    if cfg.kind == "replay":
        from lemonade.proposers.replay import ReplayProposer

        if store is None:
            if not cfg.replay_from:
                raise ConfigError("proposer.replay_from: the replay proposer needs the run "
                                  "directory whose responses it plays back")
            from lemonade.store import Store

            try:
                store = Store.open(cfg.replay_from)
            except Exception as e:  # StoreError, sqlite3 errors: all mean "not a usable run"
                raise ConfigError(f"proposer.replay_from: {e}") from None
        return ReplayProposer(store)
    raise ConfigError(f"proposer.kind: unknown kind {cfg.kind!r}")


__all__ = ["NO_LLM_MODELS", "Proposal", "ProposalRequest", "Proposer", "make_proposer",
           "zero_usage"]
