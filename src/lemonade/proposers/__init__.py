"""Proposers: what writes the next candidate model file.

Call order (the search loop): `resume_from(calls)` once when a run is resumed, `propose(request)`
once per iteration, `observe(candidate)` after each candidate closes; when the candidate fails
(rejected code, a crash, out of memory), `repair(request, previous, error)` a bounded number of
times. A proposer subclasses `Proposer` and inherits do-nothing `observe` and `resume_from`
where it has no use for them. A proposer never raises for provider trouble (network, rate limits,
unusable replies): it returns a `Proposal` with `error` set, which the loop records and moves on
from. It raises only for configuration errors (`lemonade.config.ConfigError`), and those at
construction time.

The kinds, their factories (each module's `create`) and whether they call an LLM are registered
in `lemonade.plugins.PROPOSERS`; `make_proposer` builds the configured one from there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from lemonade.config import ConfigError, ProposerConfig
from lemonade.plugins import PROPOSERS, load, no_llm_models

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


# Proposal.model of the proposers that call no LLM (lemonade.plugins.ProposerPlugin.calls_llm):
# their calls are free (not in the LLM budget) and their raw_response is an edit log
NO_LLM_MODELS = no_llm_models()


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

    @property
    def from_llm(self) -> bool:
        """Whether an LLM wrote it (`lemonade.plugins.ProposerPlugin.calls_llm`): else it is
        free, and `raw_response` is an edit log, not a model's reply."""
        return self.model not in NO_LLM_MODELS


@runtime_checkable
class Proposer(Protocol):
    """What writes the next model file. Concrete proposers subclass it (inheriting the do-nothing
    `observe` and `resume_from`); the loop calls every method unconditionally."""

    name: str

    def propose(self, req: ProposalRequest) -> Proposal: ...

    def repair(self, req: ProposalRequest, previous: Proposal, error: str) -> Proposal: ...

    def observe(self, candidate: Any) -> None:
        """Told every candidate that finished (a `lemonade.candidate.Candidate`), live and when
        a resumed run is rebuilt from its store; a proposer that learns nothing ignores it."""
        return None

    def resume_from(self, calls: list[dict[str, Any]]) -> None:
        """Told, once, the LLM calls a resumed run already made (its store's `llm_calls()`); a
        proposer that plays back a recording skips what was used; others ignore it."""
        return None


def make_proposer(cfg: ProposerConfig, *, seed: int, store: Any = None) -> Proposer:
    """The proposer of kind `cfg.kind` (`lemonade.plugins.PROPOSERS`); `store` is the recorded
    run a replay plays back."""
    plugin = PROPOSERS.get(cfg.kind)
    if plugin is None:
        raise ConfigError(f"proposer.kind: unknown kind {cfg.kind!r}")
    proposer: Proposer = load(plugin.factory)(cfg, seed=seed, store=store)
    return proposer


__all__ = ["NO_LLM_MODELS", "Proposal", "ProposalRequest", "Proposer", "make_proposer",
           "zero_usage"]
