"""The search's bookkeeping rules, as pure functions over the run's candidates.

Each takes the store's candidates (`list[Candidate]`, ordered by id) and the budget figures it
needs, and returns what the loop owes: which training failures are repaired, which interrupted
candidates are run again, which proxy results are promoted to the full epochs, whether the LLM
call budget allows another call. The loop (`lemonade.search`) only carries them out, live or on
resume, so a resumed run makes the decisions the live one would have made. Each candidate's
lineage is its typed `Candidate.origin` (`lemonade.origin.Origin`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from lemonade.candidate import Candidate, Status, rank_by_fidelity
from lemonade.origin import CARRIED, Kind, Stop, promotion

# closed by training, and repaired (a timeout is not: another try would likely cost the whole
# timeout again; a crash, most often the out-of-memory killer, is: a smaller model is the fix)
REPAIRED: frozenset[Status] = frozenset({Status.FAILED, Status.CRASHED})
LLM_BUDGET_REACHED = "LLM call budget reached"


def iterations_done(cands: Sequence[Candidate]) -> int:
    """Iterations with an outcome (an interrupted candidate's iteration is not done)."""
    return len({c.iteration for c in cands if c.has_outcome})


def next_iteration(cands: Sequence[Candidate]) -> int:
    """The number of the next new iteration (iterations are numbered from 0)."""
    return max((c.iteration for c in cands), default=-1) + 1


def is_new_attempt(c: Candidate) -> bool:
    """Whether the candidate is a new code for the memory and the proposer: a promotion (or its
    retry) trains a code already measured, at a higher fidelity."""
    return c.lineage == c.id


def repair_due(status: str | Status, kind: Kind, attempt: int, limit: int) -> bool:
    """Whether a candidate that ended with `status` in training is repaired: a failure or a
    crash of a proposal (a generator's or a repair's) whose attempt is below the limit."""
    return Status(status) in REPAIRED and kind in (Kind.GENERATOR, Kind.REPAIR) \
        and attempt < limit


def owed_repairs(cands: Sequence[Candidate], limit: int) -> list[tuple[Candidate, int]]:
    """The training failures whose repair is still due, each with its attempt.

    A proposal (generator or repair; not a retry, not a promotion: those are not repaired live
    either) that failed or crashed in training is owed a repair while its attempt is below
    `limit` (`budget.repair_attempts`) and no repair was proposed after it in its iteration (a
    repair is always in its failed candidate's iteration). An older run's row without an
    attempt takes its place in the iteration's repair chain."""
    owed: list[tuple[Candidate, int]] = []
    repairs: dict[int, list[int]] = {}  # iteration -> the ids of its repairs
    for r in cands:
        if r.origin.kind is Kind.REPAIR:
            repairs.setdefault(r.iteration, []).append(r.id)
    for c in cands:
        o = c.origin
        if c.status not in REPAIRED or o.kind not in (Kind.GENERATOR, Kind.REPAIR):
            continue
        chain = repairs.get(c.iteration, [])
        if any(rid > c.id for rid in chain):
            continue  # already repaired
        attempt = o.attempt
        if attempt is None:
            attempt = sum(rid < c.id for rid in chain) + (o.kind is Kind.REPAIR)
        if repair_due(c.status, o.kind, attempt, limit):
            owed.append((c, attempt))
    return owed


def retried(c: Candidate, cands: Sequence[Candidate]) -> bool:
    """Whether an interrupted candidate was already run again (its `retried` mark, or a row
    that retries it)."""
    return c.retried or any(
        r.origin.kind is Kind.RETRY and r.origin.source == c.id for r in cands)


def retries_due(cands: Sequence[Candidate]) -> list[Candidate]:
    """The interrupted candidates whose code is run again, once: those not retried yet, unless
    their iteration has an outcome already (a promotion is retried all the same: its proxy
    row is its iteration's outcome)."""
    done = {c.iteration for c in cands if c.has_outcome}
    return [c for c in cands if c.status is Status.INTERRUPTED and not retried(c, cands)
            and (c.origin.promoted or c.iteration not in done)]


def retry_extra(c: Candidate) -> dict[str, Any]:
    """The `extra` of the row that runs interrupted `c`'s code again: `c`'s own, with the
    origin of its retry."""
    return {**c.extra, **c.origin.retry(c.id).to_extra()}


def promotion_extra(c: Candidate, epochs: int) -> dict[str, Any]:
    """The `extra` of the row that trains proxy result `c`'s code again to `epochs`: what the
    memory and the report read of `c` (`lemonade.origin.CARRIED`), with its promotion's origin."""
    return {**{k: v for k, v in c.extra.items() if k in CARRIED},
            **promotion(c.id, epochs).to_extra()}


def promotions_due(cands: Sequence[Candidate], proxy_epochs: int | None, promote: float,
                   objectives: Sequence[Any]) -> list[Candidate]:
    """The proxy results to train again to the full epochs, best first: those ranking in the
    top `promote` fraction of all ok proxy results so far and not promoted yet (asynchronous
    successive halving: one not promoted now may be later, as worse ones arrive)."""
    if not proxy_epochs:
        return []
    proxies = [c for c in cands if c.ok and c.fidelity == proxy_epochs and not c.origin.promoted]
    promoted = {c.origin.promoted_from for c in cands if c.origin.promoted}
    top = rank_by_fidelity(proxies, objectives)[:math.ceil(promote * len(proxies))]
    return [c for c in top if c.id not in promoted]


def calls_per_iteration(llm_improver: bool) -> int:
    """LLM calls one iteration needs at the least: the improver's (unless the expert system
    stands in for it), then the generator's."""
    return 1 + llm_improver


def may_call(spent: int, max_calls: int, needed: int = 1) -> bool:
    """Whether `needed` more LLM calls fit in the budget (`budget.max_llm_calls`) after
    `spent` (offline, random and evolution proposals are free and not counted)."""
    return spent + needed <= max_calls


def outcome_notes(status: str, info: Mapping[str, Any], artifacts_dir: str | None = None
                  ) -> tuple[dict[str, Any], Stop | None]:
    """What a worker's report adds to a finished candidate's `extra` (its isolation, where its
    time went, its artifacts, the prescreen figures it was sent back with, a partial or pruned
    training), and how it stopped short when it did (an ok candidate kept at the epochs it
    reached: its reason becomes `Stop.describe()`)."""
    notes: dict[str, Any] = {}
    if info.get("isolation") is not None:
        notes["isolation"] = info["isolation"]
    startup = info.get("startup")
    if isinstance(startup, dict):  # its processes' start-up (started ahead or not), the measure
        measure = info.get("measure") or {}
        notes["timing"] = {"startup": startup, "measure_s": measure.get("seconds")}
    if artifacts_dir:
        notes["artifacts_dir"] = artifacts_dir
    if isinstance(info.get("prescreen"), dict):  # the figures it was sent back with
        notes["prescreen"] = info["prescreen"]
    partial = info.get("partial")
    stop = None
    if status == "ok" and isinstance(partial, dict):
        stop = Stop.from_info(partial)
        notes[stop.key] = partial
    return notes, stop
