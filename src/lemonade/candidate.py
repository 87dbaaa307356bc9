"""One candidate of a run, as a typed, immutable record (after Optuna's `FrozenTrial`).

`Store.candidates()` returns `Candidate`s; nothing else builds them from database rows. The record
is frozen: a change to a candidate is a new row in the store, never an edit of this object.

One status vocabulary (`Status`), with named sets for the three questions the code asks:

- `OPEN`: the candidate is still being worked on (`pending`, `running`).
- `CLOSED`: the store will never change its outcome again (everything that is not open).
- `OUTCOMES`: it has a result of its own, so its iteration counts as done: `CLOSED` minus
  `interrupted` (an interrupted candidate has no outcome; its code is run again on resume).
- `REUSABLE`: the outcome is a property of the code itself (`ok`, `failed`): the same code would
  end the same way, so a duplicate may reuse it instead of training again.

Ranking lives in one place, `lemonade.objectives.rank_key`; `rank` and `best_of` below only apply it
to candidates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from lemonade.metrics import is_test_metric
from lemonade.metrics import values as metric_values
from lemonade.objectives import rank_key
from lemonade.origin import RETRIED, Origin, Stop


class Status(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"
    TIMEOUT = "timeout"
    CRASHED = "crashed"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    INTERRUPTED = "interrupted"


OPEN: frozenset[Status] = frozenset({Status.PENDING, Status.RUNNING})
CLOSED: frozenset[Status] = frozenset(Status) - OPEN
OUTCOMES: frozenset[Status] = CLOSED - {Status.INTERRUPTED}
REUSABLE: frozenset[Status] = frozenset({Status.OK, Status.FAILED})
# not ok and not open: shown as failures in reports
FAILURES: frozenset[Status] = CLOSED - {Status.OK, Status.DUPLICATE}


@dataclass(frozen=True)
class Candidate:
    """A candidate as the store holds it. `metrics` is the metrics.json document
    ({metric: {value, unit, method, ...}}); `values` the flat {metric: float} view of it."""

    id: int
    iteration: int
    status: Status
    parent_id: int | None = None
    code: str = ""
    code_hash: str = ""
    genome: dict[str, Any] | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    cme: float | None = None
    feasible: bool = False
    reason: str | None = None
    proposer: str | None = None
    created_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    seconds: float | None = None
    history: list[Any] = field(default_factory=list)
    weights_path: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Candidate:
        """From a `candidates` row whose JSON columns are already decoded."""
        return cls(
            id=int(row["id"]), iteration=int(row["iteration"]), status=Status(row["status"]),
            parent_id=None if row.get("parent_id") is None else int(row["parent_id"]),
            code=row.get("code") or "", code_hash=row.get("code_hash") or "",
            genome=row.get("genome"), metrics=dict(row.get("metrics") or {}),
            cme=None if row.get("cme") is None else float(row["cme"]),
            feasible=bool(row.get("feasible")), reason=row.get("reason"),
            proposer=row.get("proposer"), created_at=row.get("created_at"),
            started_at=row.get("started_at"), finished_at=row.get("finished_at"),
            seconds=None if row.get("seconds") is None else float(row["seconds"]),
            history=list(row.get("history") or []), weights_path=row.get("weights_path"),
            extra=dict(row.get("extra") or {}),
        )

    @property
    def values(self) -> dict[str, float]:
        return metric_values(self.metrics)

    @property
    def ok(self) -> bool:
        return self.status is Status.OK

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def has_outcome(self) -> bool:
        return self.status in OUTCOMES

    @cached_property
    def origin(self) -> Origin:
        """Where it came from (kind, attempt, source, fidelity, temperature), read from the
        store's `extra` annotations (`lemonade.origin`)."""
        return Origin.from_extra(self.extra)

    @property
    def retried(self) -> bool:
        """An interrupted candidate whose code was already run again (its `retried` mark)."""
        return bool(self.extra.get(RETRIED))

    @property
    def stop(self) -> Stop | None:
        """How it stopped short of its epochs (partial or pruned), or None."""
        return Stop.from_extra(self.extra)

    @property
    def fidelity(self) -> int | None:
        """Epochs this row was trained for in a multi-fidelity run (`Origin.fidelity`);
        None in a single-fidelity run, where every row has the same fidelity."""
        return self.origin.fidelity

    @property
    def lineage(self) -> int:
        """The id of the row that first trained this code: a promoted row (trained again at a
        higher fidelity) names its proxy row (`Origin.promoted_from`)."""
        of = self.origin.promoted_from
        return self.id if of is None else of

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["status"] = str(self.status)
        return d


def rank(cands: Iterable[Candidate], objectives: Sequence[Any]) -> list[Candidate]:
    """Ok candidates best first by `objectives.rank_key`; ties go to the earlier candidate.

    Multi-fidelity: the rows of one code (a proxy row and the row promoted from it, see
    `Candidate.lineage`) count once, as their highest-fidelity ok row, and two codes are compared
    at the highest fidelity both have a result for (`rank_by_fidelity`). In a single-fidelity
    run this is a plain sort by `rank_key`.
    """
    return rank_by_fidelity(cands, objectives)


def rank_by_fidelity(cands: Iterable[Candidate], objectives: Sequence[Any]
                     ) -> list[Candidate]:
    """One row per lineage (its highest-fidelity ok row), best first.

    Two lineages are compared by `rank_key` at the highest fidelity they share: a code trained
    at 2 and 6 epochs against one trained at 2 only is judged on their 2-epoch results; two
    codes both trained at 6 on their 6-epoch results; ties go to the earlier lineage. (With
    rows of no recorded fidelity, all are one fidelity.) The pairwise rule need not be
    transitive across three fidelity patterns; the sort then returns one consistent order of it.
    """
    import functools

    by_lineage: dict[int, dict[int, Candidate]] = {}
    for c in cands:
        if not c.ok:
            continue
        levels = by_lineage.setdefault(c.lineage, {})
        f = c.fidelity or 0
        if f not in levels or c.id > levels[f].id:  # a retried row supersedes
            levels[f] = c
    keys = {lin: {f: rank_key(objectives, row.values) for f, row in levels.items()}
            for lin, levels in by_lineage.items()}

    def cmp(a: int, b: int) -> int:
        shared = set(keys[a]) & set(keys[b])
        if shared:
            f = max(shared)
            ka, kb = keys[a][f], keys[b][f]
        else:  # no fidelity in common: each at its highest
            ka, kb = keys[a][max(keys[a])], keys[b][max(keys[b])]
        if ka != kb:
            return -1 if ka < kb else 1
        return (a > b) - (a < b)

    order = sorted(by_lineage, key=functools.cmp_to_key(cmp))
    return [by_lineage[lin][max(by_lineage[lin])] for lin in order]


def best_of(cands: Iterable[Candidate], objectives: Sequence[Any] | None) -> Candidate | None:
    """The best ok candidate by `objectives.rank_key` (the one ranking there is).

    Without objectives there is nothing to rank by: the earliest ok candidate."""
    if not objectives:
        return next((c for c in cands if c.ok), None)
    ranked = rank(cands, objectives)
    return ranked[0] if ranked else None


def beats(child: Candidate, parent: Candidate, objectives: Sequence[Any]) -> bool:
    """Whether `child` ranks strictly above `parent` (a failed child never does)."""
    if not child.ok:
        return False
    return rank_key(objectives, child.values) < rank_key(objectives, parent.values)


def proposer_values(values: Mapping[str, float] | None) -> dict[str, float]:
    """The metrics a proposer may see: everything but the test split's (`test_*`,
    `int8_test_accuracy`).

    The search ranks on validation metrics; the test split is only reported, so no test metric
    may reach a prompt, the memory or the advice.
    """
    return {k: v for k, v in (values or {}).items() if not is_test_metric(k)}
