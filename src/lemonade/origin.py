"""Where a candidate came from, and how its training stopped: typed records over the store's
`extra` annotations.

`Origin` is one candidate's lineage: its kind (`Kind`: the user's start model, a generator
proposal, a repair of a failed candidate, a retry of an interrupted one, a promotion of a proxy
result to the full epochs), its place in its iteration's repair chain (`attempt`), the candidate
it came from (`source`), the epochs it trains (`fidelity`, multi-fidelity runs), the LLM
sampling temperature of its proposal, and the proxy row whose code it trains again
(`promoted_from`: a promotion and its retries).

`Stop` is a candidate kept at the epochs it reached: stopped by its time budget (partial,
`lemonade.budget`) or pruned against the front (`lemonade.pruning`).

The store keeps both in the candidate's `extra` JSON under the keys it has always used (`kind`,
`attempt`, `repair_of`, `retry_of`, `fidelity`, `fidelity_of`, `temperature`; `partial`,
`pruned`), so runs written before these records existed load and resume unchanged:
`Origin.from_extra` reads either, and `Origin.to_extra` is the only writer of those keys. A
record written by this version carries `origin_version` (`ORIGIN_VERSION`); without it the
record is an older run's, whose `attempt` may be missing (it is then the candidate's place in
its iteration's repair chain, `lemonade.lineage.owed_repairs`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

ORIGIN_VERSION = 1
RETRIED = "retried"  # the `extra` mark of an interrupted candidate whose code was run again


class Kind(StrEnum):
    START = "start"  # the user's model (`search.start_from`)
    GENERATOR = "generator"  # a new proposal of an iteration
    REPAIR = "repair"  # a proposal that repairs a candidate that failed (`source`)
    RETRY = "retry"  # the code of an interrupted candidate (`source`), run again on resume
    PROMOTION = "promotion"  # a proxy result's code (`source`), trained again to full epochs
    PROPOSE = "propose"  # an older run's proposal (before repairs survived a resume)


def _int(value: Any) -> int | None:
    """An int stored in JSON (a float with an integral use is accepted, a bool never)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _kind(value: Any) -> Kind:
    try:
        return Kind(value)
    except ValueError:
        return Kind.PROPOSE  # no kind, or one this version does not know: never repaired


@dataclass(frozen=True)
class Origin:
    """One candidate's lineage (see the module docstring)."""

    kind: Kind
    attempt: int | None = None  # repairs before it in its iteration's chain (None: older run)
    source: int | None = None  # the candidate it repairs, retries or promotes
    fidelity: int | None = None  # epochs it trains in a multi-fidelity run
    temperature: float | None = None  # its proposal's LLM sampling temperature
    promoted_from: int | None = None  # the proxy row whose code it trains again
    retried_kind: Kind | None = None  # a retry: the kind of the candidate it runs again
    retried_source: int | None = None  # a retry: the source of the candidate it runs again

    @property
    def promoted(self) -> bool:
        """It trains again a code already measured at a lower fidelity (not a new attempt)."""
        return self.promoted_from is not None

    @property
    def first_kind(self) -> Kind:
        """The kind of the proposal behind it: a retry's is the retried candidate's."""
        if self.kind is Kind.RETRY and self.retried_kind is not None:
            return self.retried_kind
        return self.kind

    @property
    def repair_of(self) -> int | None:
        """The failed candidate whose repair its code is: a repair's source, or a retried
        repair's."""
        if self.kind is Kind.REPAIR:
            return self.source
        return self.retried_source if self.retried_kind is Kind.REPAIR else None

    @property
    def retry_of(self) -> int | None:
        """The interrupted candidate whose code it runs again (a retry), else None."""
        return self.source if self.kind is Kind.RETRY else None

    @classmethod
    def from_extra(cls, extra: Mapping[str, Any] | None) -> Origin:
        """The record from a candidate's `extra` (this version's or an older run's)."""
        e = extra or {}
        kind = _kind(e.get("kind"))
        promoted_from = _int(e.get("fidelity_of"))
        if promoted_from is not None:
            kind = Kind.PROMOTION
        base = cls(kind=kind, attempt=_int(e.get("attempt")),
                   source=_int(e.get("repair_of")) if kind is Kind.REPAIR else promoted_from,
                   fidelity=_int(e.get("fidelity")), temperature=_float(e.get("temperature")),
                   promoted_from=promoted_from)
        retry_of = _int(e.get("retry_of"))
        if retry_of is None:
            return base
        # a retry's extra is the retried candidate's, with retry_of added
        return cls(kind=Kind.RETRY, attempt=base.attempt, source=retry_of,
                   fidelity=base.fidelity, temperature=base.temperature,
                   promoted_from=base.promoted_from, retried_kind=base.kind,
                   retried_source=base.source)

    def to_extra(self) -> dict[str, Any]:
        """The `extra` keys that hold this record (the store's contract, unchanged)."""
        kind = self.first_kind
        out: dict[str, Any] = {"kind": str(kind), "origin_version": ORIGIN_VERSION}
        if self.attempt is not None:
            out["attempt"] = self.attempt
        if self.repair_of is not None:
            out["repair_of"] = self.repair_of
        if self.fidelity is not None:
            out["fidelity"] = self.fidelity
        if self.promoted_from is not None:
            out["fidelity_of"] = self.promoted_from
        if self.temperature is not None:
            out["temperature"] = self.temperature
        if self.kind is Kind.RETRY:
            out["retry_of"] = self.source
            out[RETRIED] = False
        return out

    def retry(self, of: int) -> Origin:
        """The origin of a retry of the candidate `of` whose origin this is."""
        return Origin(kind=Kind.RETRY, attempt=self.attempt, source=of, fidelity=self.fidelity,
                      temperature=self.temperature, promoted_from=self.promoted_from,
                      retried_kind=self.first_kind,
                      retried_source=self.retried_source if self.kind is Kind.RETRY
                      else self.source)


# what a promotion's row carries over from its proxy row's extra (the memory's and the report's)
CARRIED = ("problem", "modification", "summary", "parent_policy")


def promotion(of: int, fidelity: int) -> Origin:
    """The origin of candidate `of`'s code trained again to `fidelity` epochs."""
    return Origin(kind=Kind.PROMOTION, source=of, fidelity=fidelity, promoted_from=of)


@dataclass(frozen=True)
class Stop:
    """A candidate kept at the epochs it reached: `pruned` against the front, else partial
    (its time budget ran out, `lemonade.budget`)."""

    pruned: bool
    reason: str | None
    epochs_run: int | None
    epochs: int | None

    @classmethod
    def from_extra(cls, extra: Mapping[str, Any] | None) -> Stop | None:
        e = extra or {}
        key = "pruned" if e.get("pruned") else "partial" if e.get("partial") else None
        if key is None:
            return None
        doc = e[key] if isinstance(e[key], Mapping) else {}
        return cls(pruned=key == "pruned", reason=doc.get("reason"),
                   epochs_run=_int(doc.get("epochs_run")), epochs=_int(doc.get("epochs")))

    @classmethod
    def from_info(cls, partial: Mapping[str, Any]) -> Stop:
        """From a worker's `info["partial"]` (lemonade.sandbox.runner)."""
        return cls(pruned=bool(partial.get("pruned")), reason=partial.get("reason"),
                   epochs_run=_int(partial.get("epochs_run")), epochs=_int(partial.get("epochs")))

    @property
    def key(self) -> str:
        """The `extra` key that holds it."""
        return "pruned" if self.pruned else "partial"

    def to_json(self) -> dict[str, Any]:
        return {"reason": self.reason, "pruned": self.pruned, "epochs_run": self.epochs_run,
                "epochs": self.epochs}

    def describe(self) -> str:
        """The candidate's reason: why it stopped, and after how many epochs."""
        return (f"{'' if self.pruned else 'partial: '}{self.reason}; measured after "
                f"{self.epochs_run} of {self.epochs} epochs")
