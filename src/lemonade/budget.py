"""How long a candidate may train: a clock that follows the budget, not a fixed one.

Pure functions and one small frozen policy; the host's wait loop (lemonade.sandbox.process)
asks `CandidateClock.verdict` every fraction of a second, and the search builds the clock from
what the run has measured so far (`cost_rate`).

- **Expected time.** The run measures, for every finished candidate, its training seconds per
  image-epoch per FLOP (`cost_rate`: the host's `train_seconds` over epochs run x training
  images x the trusted FLOPs per image). A new candidate's expected time is that rate (the
  median over the run) times its own FLOPs, images and epochs (`expected_seconds`). Its FLOPs
  come from the training worker's `cost` event, sent before the first step; a candidate that
  lies there changes its own allowance only, within the upper bound.
- **Soft deadline.** `factor` x the expected time, at least `floor_s`; none known yet (the
  first candidates, or no FLOPs reported): the generous `first_s`. Never past
  `budget.candidate_timeout_s`, the upper bound.
- **Progress watchdog.** No epoch event for `hang_factor` x the expected epoch time (its own
  epochs' mean once it has one, else the expected time / epochs), at least `hang_floor_s`: a
  hang.
- **Stop, then kill.** Past a deadline, the host asks the worker to stop (`STOP`): it keeps the
  last completed epoch's weights, which are exported and measured as usual, and the candidate
  is recorded as partial at the epochs it reached. The soft deadline comes `grace()` before the
  cap; a worker still running at the cap is killed (a timeout, as before).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from lemonade.candidate import Candidate
from lemonade.config import BudgetConfig
from lemonade.prescreen import prescreen_limits
from lemonade.pruning import FrontMember, cost_objectives, front_for, prune_verdict

STOP_FILE = "STOP"  # written into the training worker's folder: finish at the last epoch

DEFAULT_FACTOR = 4.0
DEFAULT_FLOOR_S = 300.0
DEFAULT_FIRST_S = 3600.0
DEFAULT_HANG_FACTOR = 6.0
DEFAULT_HANG_FLOOR_S = 180.0
DEFAULT_GRACE_S = 120.0


def cost_rate(train_seconds: float | None, epochs_run: int | None, n_train: int,
              flops: float | None) -> float | None:
    """Seconds per image-epoch per FLOP of one finished candidate, None when unknown."""
    if not train_seconds or not epochs_run or not flops or n_train <= 0:
        return None
    if train_seconds <= 0 or epochs_run <= 0 or flops <= 0:
        return None
    return train_seconds / (epochs_run * n_train * flops)


def run_rate(rates: Iterable[float | None]) -> float | None:
    """The run's rate: the median of its candidates' (robust to one odd candidate)."""
    got = [r for r in rates if r is not None and math.isfinite(r) and r > 0]
    return statistics.median(got) if got else None


def expected_seconds(rate: float | None, flops: float | None, n_train: int,
                     epochs: int) -> float | None:
    """The expected training seconds of a candidate of `flops` FLOPs per image."""
    if rate is None or not flops or flops <= 0 or n_train <= 0 or epochs <= 0:
        return None
    return rate * flops * n_train * epochs


@dataclass(frozen=True)
class CandidateClock:
    """The clock of one candidate's training process (all seconds since the hand-over)."""

    cap_s: float  # budget.candidate_timeout_s: the upper bound
    epochs: int
    n_train: int
    rate: float | None = None  # the run's seconds per image-epoch per FLOP, None: none yet
    factor: float = DEFAULT_FACTOR
    floor_s: float = DEFAULT_FLOOR_S
    first_s: float = DEFAULT_FIRST_S
    hang_factor: float = DEFAULT_HANG_FACTOR
    hang_floor_s: float = DEFAULT_HANG_FLOOR_S
    grace_s: float = DEFAULT_GRACE_S
    # cheap metrics first (lemonade.prescreen): {metric: (threshold, limit)} and the factor
    prescreen_limits: tuple[tuple[str, float, float], ...] = ()
    prescreen_factor: float | None = None
    # early stopping on the whole front (lemonade.pruning); empty front: no pruning
    front: tuple[FrontMember, ...] = ()
    cost_goals: tuple[tuple[str, str], ...] = ()
    prune_margin: float = 0.1
    prune_min_epoch: int = 3
    # seconds from the hand-over to the end of the whole search's wall clock
    # (budget.max_seconds); None: no such limit. Reached after an epoch: stop and keep it
    search_left_s: float | None = None

    def prune(self, costs: dict[str, float], curve: Sequence[float]) -> str | None:
        """Why to prune the candidate at its latest epoch (lemonade.pruning), or None."""
        if not self.front:
            return None
        return prune_verdict(self.front, dict(self.cost_goals), costs, curve,
                             margin=self.prune_margin, min_epoch=self.prune_min_epoch)

    def expected(self, flops: float | None) -> float | None:
        return expected_seconds(self.rate, flops, self.n_train, self.epochs)

    def grace(self) -> float:
        """Seconds a worker asked to stop has before the cap kills it (a quarter of the cap at
        most, so a small cap stays the hard limit it says)."""
        return min(self.grace_s, self.cap_s / 4)

    def deadline(self, flops: float | None) -> float:
        """The soft deadline: factor x expected (floored), else `first_s`; before the cap, by
        the grace (the cap itself is the hard limit)."""
        exp = self.expected(flops)
        soft = self.first_s if exp is None else max(self.floor_s, self.factor * exp)
        return min(self.cap_s - self.grace(), soft)

    def epoch_estimate(self, flops: float | None, epoch_ends: Sequence[float]) -> float | None:
        """Expected seconds of one epoch: its own mean once it has epochs, else the run's."""
        if epoch_ends:
            return epoch_ends[-1] / len(epoch_ends)
        exp = self.expected(flops)
        return exp / self.epochs if exp is not None else None

    def verdict(self, elapsed: float, flops: float | None, epoch_ends: Sequence[float]
                ) -> str | None:
        """Why the worker should stop now (a sentence), or None to let it run.

        `epoch_ends`: the seconds (since the hand-over) at which its epoch events arrived."""
        if self.search_left_s is not None and elapsed >= self.search_left_s and epoch_ends:
            return (f"the search's wall clock (budget.max_seconds) ran out after "
                    f"{len(epoch_ends)} of {self.epochs} epochs")
        deadline = self.deadline(flops)
        if elapsed >= deadline:
            what = "near its upper bound, budget.candidate_timeout_s" \
                if deadline >= self.cap_s - self.grace() else "its expected time x factor" \
                if self.expected(flops) is not None else "the default before any measurement"
            return f"over its time budget: {elapsed:.0f} s >= {deadline:.0f} s ({what})"
        per_epoch = self.epoch_estimate(flops, epoch_ends)
        if per_epoch is None:
            return None
        quiet = elapsed - (epoch_ends[-1] if epoch_ends else 0.0)
        limit = max(self.hang_floor_s, self.hang_factor * per_epoch)
        if len(epoch_ends) < self.epochs and quiet >= limit:
            return (f"no progress: no epoch ended for {quiet:.0f} s "
                    f"(>= {limit:.0f} s, {self.hang_factor:g} x the expected epoch)")
        return None


def candidate_rate(values: dict[str, float], metrics: dict[str, object],
                   n_train: int) -> float | None:
    """`cost_rate` of a finished candidate from its stored metrics (train_seconds is the
    host's clock; its epochs_run is recorded in the measurement's method; flops trusted)."""
    rec = metrics.get("train_seconds")
    method = rec.get("method") if isinstance(rec, dict) else None
    epochs = method.get("epochs_run") if isinstance(method, dict) else None
    if not isinstance(epochs, int) or isinstance(epochs, bool):
        return None
    return cost_rate(values.get("train_seconds"), epochs, n_train, values.get("flops"))


def clock_for(finished: Iterable[tuple[dict[str, float], dict[str, object]]], cap_s: float,
              epochs: int, n_train: int,
              prescreen: dict[str, tuple[float, float]] | None = None,
              prescreen_factor: float | None = None) -> CandidateClock:
    """The clock of a new candidate of `epochs` epochs, from the run's finished candidates'
    (values, metrics documents); `prescreen`: lemonade.prescreen.prescreen_limits."""
    rate = run_rate(candidate_rate(v, m, n_train) for v, m in finished)
    limits = tuple((k, t, lim) for k, (t, lim) in sorted((prescreen or {}).items()))
    return CandidateClock(cap_s=cap_s, epochs=epochs, n_train=n_train, rate=rate,
                          prescreen_limits=limits, prescreen_factor=prescreen_factor)


def with_front(clock: CandidateClock, front: tuple[FrontMember, ...], objectives: Sequence[Any],
               margin: float, min_epoch: int) -> CandidateClock:
    """`clock` that also prunes against `front` (lemonade.pruning)."""
    from dataclasses import replace

    goals = tuple((o.metric, str(o.goal)) for o in cost_objectives(objectives))
    return replace(clock, front=front, cost_goals=goals, prune_margin=margin,
                   prune_min_epoch=min_epoch)


def search_clock(ok: Sequence[Candidate], objectives: Sequence[Any], b: BudgetConfig,
                 epochs: int, n_train: int, search_left_s: float) -> CandidateClock:
    """The clock of a search's new candidate of `epochs` epochs: the rate measured on the run's
    `ok` candidates, the prescreen limits, the search's own time left, and with `budget.prune`
    the front it is pruned against (`lemonade.pruning.front_for`)."""
    from dataclasses import replace

    clock = clock_for([(c.values, c.metrics) for c in ok], b.candidate_timeout_s, epochs,
                      n_train, prescreen_limits(objectives, b.prescreen_factor,
                                                b.prescreen_metrics), b.prescreen_factor)
    clock = replace(clock, search_left_s=max(0.0, search_left_s))
    if b.prune:  # early stopping on the whole front
        clock = with_front(clock, front_for(ok, objectives, clock.epochs), objectives,
                           b.prune_margin, b.prune_min_epoch)
    return clock
