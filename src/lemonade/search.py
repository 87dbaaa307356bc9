"""The discovery loop: wiring only.

One iteration (`lemonade.proposing`): draw a parent  ->  expert advice  ->  Prompt Improver  ->
Code Generator  ->  static checks (bad code goes back to the proposer, a bounded number of
times)  ->  here: an isolated worker builds, trains and measures it (`lemonade.parallel`'s pool,
`candidate_task`)  ->  store, run directory files (`lemonade.rundir`), feedback memory.

Candidates in flight (`parallel.batch`, default `parallel.workers`): the loop keeps up to
`batch` candidates training at once (one sandboxed process per candidate; Ray tasks when
workers > 1). It proposes the first `batch` iterations from the same (empty or resumed) store,
so the first ones are the same whatever the number of workers; after that, each time a result
is recorded the next iteration is proposed at once from the store as it is then, while the
others go on training. Iteration `it` takes slot `it % batch`: its own parent draw, proposer
seed (`seed + it`) and LLM temperature (`parallel.temperatures`). A candidate that failed in
training is repaired next, ahead of new iterations. With one worker the pool runs one candidate
at a time in order, so a run is reproducible.

Multi-fidelity (`budget.proxy_epochs`): every candidate first trains the proxy epochs; the
proxy results in the top `budget.promote` fraction so far are trained again, from scratch, to
`budget.epochs` (a new row, `Origin.promoted_from`); ranking compares two codes at the highest
fidelity both have (`lemonade.candidate.rank_by_fidelity`).

Every step is written to the store when it happens, so a run killed at any instant can be resumed
(`lemonade resume RUN_DIR`): finished candidates are never trained again; what is owed (retries
of interrupted candidates, repairs, promotions) is decided by the pure rules of
`lemonade.lineage` over the stored candidates and their typed `Candidate.origin`, live and on
resume alike.
"""

from __future__ import annotations

import functools
import time
import weakref
from collections.abc import Hashable
from pathlib import Path
from typing import Any

from lemonade import metrics as M
from lemonade import runlock
from lemonade.budget import search_clock
from lemonade.candidate import Candidate, Status, best_of
from lemonade.config import Config
from lemonade.data import Dataset
from lemonade.finalize import finalize_after_search
from lemonade.gate import code_hash, scrub
from lemonade.gate.failure_text import for_prompt
from lemonade.hooks import Hooks, SearchResult
from lemonade.lineage import (
    LLM_BUDGET_REACHED,
    calls_per_iteration,
    iterations_done,
    may_call,
    next_iteration,
    outcome_notes,
    promotion_extra,
    promotions_due,
    repair_due,
    retries_due,
    retry_extra,
)
from lemonade.memory import FeedbackMemory
from lemonade.objectives import cme as cme_of
from lemonade.objectives import is_feasible
from lemonade.opening import hold, now_iso, open_new, reopen
from lemonade.origin import RETRIED, Kind
from lemonade.parallel import (
    Done,
    Pool,
    candidate_outcome,
    candidate_task,
    needs_ray,
    open_pool,
    task_resources,
)
from lemonade.proposers import Proposer, make_proposer
from lemonade.proposers.improver import Improver, make_improver
from lemonade.proposing import Proposing, Repair, Slot
from lemonade.rundir import candidate_dir, write_best, write_code, write_metrics
from lemonade.sandbox.resource import Sandbox
from lemonade.sandbox.runner import CandidateOutcome, training_job
from lemonade.start import START_PROPOSER, read_start_file, start_extra
from lemonade.store import Store


class Search:
    """A run: its store, objectives, memory, proposer. `run()` drives iterations to the budget."""

    def __init__(self, cfg: Config, run_dir: Path, store: Store, data: Dataset,
                 hooks: Hooks | None = None, proposer: Proposer | None = None,
                 improver: Improver | None = None) -> None:
        self.cfg = cfg
        self.run_dir = run_dir
        self.store = store
        self.data = data
        self.hooks = hooks or Hooks()
        self.objectives = cfg.resolved_objectives()
        self.memory = FeedbackMemory(self.objectives, window=cfg.memory_window,
                                     token_budget=cfg.memory_token_budget)
        done = iterations_done(store.candidates())
        self.pool: Pool  # lemonade.parallel's pool, open while run() runs
        self.sandbox: Sandbox  # the run's (lemonade.sandbox.resource), open while run() runs
        self.run_lock: runlock.RunLock | None = None  # held while this Search lives (start_run)
        self._shared: Any = None  # what the pool shares with every task (the split files)
        self._in_flight: dict[Hashable, Slot] = {}  # by the pool's task key: the candidate id
        self._ends_at = float("inf")  # monotonic time at which budget.max_seconds runs out
        # no reference cycle: a dropped Search is freed at once, and so releases its run lock
        me = weakref.proxy(self)
        # A resumed offline/random proposer must not replay the same random choices: offset its
        # seed by the work already done (the store's code-hash check catches any repeat anyway).
        self.proposing = Proposing(
            cfg, data, store, run_dir, self.objectives, self.memory,
            proposer or make_proposer(cfg.proposer, seed=cfg.seed + 7919 * done),
            improver or make_improver(cfg.proposer, seed=cfg.seed + 7919 * done),
            lambda cid, it, kind: me.hooks.on_candidate_start(cid, it, kind),
            lambda cid, status, reason, doc: me._finish(cid, status, doc, reason, 0.0, [], None),
            self._in_flight.values)
        # a proposer that plays back a recording (replay) skips what this run already used
        self.proposer.resume_from(self.store.llm_calls())
        self.proposing.relearn()
        # training failures, repaired next (a resumed run: those it still owed)
        self._repairs: list[Repair] = self.proposing.owed_repairs()

    @property
    def proposer(self) -> Proposer:
        return self.proposing.proposer

    @proposer.setter
    def proposer(self, value: Proposer) -> None:
        self.proposing.proposer = value

    @property
    def improver(self) -> Improver:
        return self.proposing.improver

    def best(self) -> Candidate | None:
        return best_of(self.store.candidates(Status.OK), self.objectives)

    # ----- the loop -----------------------------------------------------------------------------
    def run(self) -> SearchResult:
        # the run's processes, fork server and split files; closed once the run and its
        # final training are over
        with Sandbox() as self.sandbox:
            return self._run()

    def _run(self) -> SearchResult:
        t_start = time.monotonic()
        spent_before = float(self.store.get_meta("seconds_spent") or 0.0)
        # candidates still training when the search's wall clock runs out stop there (kept)
        self._ends_at = t_start + self.cfg.budget.max_seconds - spent_before
        self.store.set_meta("status", "running")
        self.hooks.on_start({"run_dir": str(self.run_dir), "objectives": self.objectives,
                             "objective_sources": [s for _, s in self.cfg.objective_sources()],
                             "dataset": self.data.info(), "proposer": self.proposer.name,
                             "improver": self.improver.name,
                             "iterations_done": iterations_done(self.store.candidates())})
        status = "finished"
        if not needs_ray(self.cfg):  # the fork server warms up while the run gets going
            self.sandbox.start_fork_server(self.cfg.sandbox, self.cfg.device)
        self.pool = open_pool(self.cfg, sandbox=self.sandbox)
        try:
            self._shared = self.pool.share(self.sandbox.splits.shared(self.cfg, self.pool.workers))
            self._retry_interrupted()
            self._submit_start()
            self._promote()  # a resumed run catches up on promotions it had not made
            self._drain()
            stopped = False
            while True:
                if not stopped:
                    why = self._fill(spent_before + (time.monotonic() - t_start))
                    if why:  # a budget ran out: no new proposal; what trains finishes
                        self.hooks.on_message(why)
                        stopped = True
                if not self.pool.pending:
                    break
                for done in self.pool.wait_any():
                    self._record_done(done)
                if not stopped:
                    self._promote()
                self.store.set_meta("seconds_spent",
                                    f"{spent_before + time.monotonic() - t_start:.3f}")
        except KeyboardInterrupt:
            status = "interrupted"
            self.pool.shutdown(cancel=True)
            self.store.mark_interrupted_stale()
        finally:
            self.pool.shutdown(cancel=status != "finished")
            self.sandbox.warm.release()  # started ahead for a next candidate that never came
            self.store.set_meta("seconds_spent", f"{spent_before + time.monotonic() - t_start:.3f}")
            self.store.set_meta("status", status)
            if status == "finished":
                self.store.set_meta("finished_at", now_iso())
        if status == "finished" and self.cfg.budget.final_epochs and self.best() is not None:
            finalize_after_search(self.run_dir, self.cfg.budget.final_epochs,
                                  self.hooks.on_message, self.sandbox)
        return self.result(status, spent_before + time.monotonic() - t_start)

    def result(self, status: str, seconds: float) -> SearchResult:
        return SearchResult.of(self.run_dir, status, self.store.candidates(), self.best(),
                               seconds)

    def _retry_interrupted(self) -> None:
        """Candidates that were in flight when the run died: their code is run again, once
        (`lemonade.lineage.retries_due`)."""
        for c in retries_due(self.store.candidates()):
            self.store.update_extra(c.id, {RETRIED: True})
            self._rerun(c, retry_extra(c), Kind.RETRY, f"retrying candidate {c.id} (interrupted)")
        self._drain()

    def _rerun(self, c: Candidate, extra: dict[str, Any], kind: Kind, message: str) -> None:
        """A new row for `c`'s code (a retry, a promotion: `message`, where {new} is its id),
        submitted for training."""
        new_id = self.store.add_candidate(c.iteration, c.parent_id, c.code, c.code_hash,
                                          c.genome, c.proposer, extra=extra)
        write_code(self.run_dir, new_id, c.code)
        self.hooks.on_message(message.format(new=new_id))
        self._submit(Slot(new_id, c.iteration, None, None, 0, kind), c.code)

    def _submit_start(self) -> None:
        """`search.start_from`: the user's model is candidate 1 (no LLM call) of a new run."""
        path = self.cfg.search.start_from
        if not path or self.store.candidates():
            return
        code, note = read_start_file(path, self.data.info())
        cid = self.store.add_candidate(0, None, code, code_hash(code), None, START_PROPOSER,
                                       extra=start_extra(path, note))
        write_code(self.run_dir, cid, code)
        self.hooks.on_message(f"candidate {cid}: your model from {path}"
                              + (f" (normalized: {note})" if note else ""))
        self._submit(Slot(cid, 0, None, None, 0, Kind.START), code)

    # ----- keeping `batch` candidates in flight ---------------------------------------------------
    def _fill(self, elapsed: float) -> str | None:
        """Propose and submit until `parallel.batch` candidates are in flight, repairs of
        training failures first, then new iterations up to `budget.iterations`. Returns why it
        stopped proposing for good (the wall-clock or LLM-call budget), else None.

        Iteration `it` is slot `it % batch` (its parent draw, seed and LLM temperature: see
        `Proposing.propose`). A proposal rejected by the static checks is repaired at once,
        before anything trains; one that never passes them takes its iteration with it."""
        b = self.cfg.budget
        slots = self.cfg.parallel.in_flight
        while len(self._in_flight) < slots:
            if elapsed >= b.max_seconds:
                self._repairs.clear()
                return f"wall-clock budget of {b.max_seconds:.0f}s reached"
            if self._repairs:
                r = self._repairs.pop(0)
                if not may_call(self.proposing.llm_calls(), b.max_llm_calls):
                    self._repairs.clear()
                    return LLM_BUDGET_REACHED
                slot = self.proposing.repair(r)
            else:
                cands = self.store.candidates()
                it = next_iteration(cands)
                if it >= b.iterations:
                    return None
                if not may_call(self.proposing.llm_calls(), b.max_llm_calls,
                                calls_per_iteration(self.improver.name != "expert")):
                    return LLM_BUDGET_REACHED
                slot = self.proposing.propose(it, cands, slot=it % slots)
            if slot is not None:
                self._submit(slot, slot.code)
        return None

    # ----- training through the pool --------------------------------------------------------------
    def _submit(self, slot: Slot, code: str) -> None:
        row = self.store.candidate(slot.cid)
        self.store.mark_running(slot.cid)
        self.hooks.on_candidate_start(slot.cid, slot.it, row.proposer or "")
        slot.code_hash = code_hash(code)
        self._in_flight[slot.cid] = slot
        sink = self.pool.event_sink(functools.partial(self._on_worker_event, slot.cid))
        clock = search_clock(self.store.candidates(Status.OK), self.objectives, self.cfg.budget,
                             row.fidelity or self.cfg.budget.epochs,
                             int(self.data.x_train.shape[0]), self._ends_at - time.monotonic())
        # the job folder is the candidate's own: job.json, result.json and the weights stay
        # with the code that produced them
        cdir = candidate_dir(self.run_dir, slot.cid)
        cdir.mkdir(parents=True, exist_ok=True)
        job = training_job(self.cfg.for_candidate(row.fidelity), code, workdir=cdir,
                           want_weights=True, warm_next=self.cfg.sandbox.prestart)
        self.pool.submit(candidate_task, job, self._shared, sink, clock, self.pool.sandbox,
                         resources=task_resources(self.cfg, gpus=self.pool.gpus), key=slot.cid)

    def _drain(self) -> None:
        """Record every submitted candidate's result, in the order they finish."""
        for done in self.pool.as_completed():
            self._record_done(done)

    def _record_done(self, done: Done) -> None:
        """Record one finished task; a training failure is queued for repair (`_fill`)."""
        slot = self._in_flight.pop(done.key)
        outcome = candidate_outcome(done)
        self._record_outcome(slot.cid, outcome)
        if repair_due(outcome.status, slot.kind, slot.attempt, self.cfg.budget.repair_attempts):
            repair = slot.repair(for_prompt(outcome.reason, outcome.status, slot.code))
            if repair is not None:
                self._repairs.append(repair)

    def _record_outcome(self, cid: int, outcome: CandidateOutcome) -> None:
        metrics_doc = M.to_json(outcome.metrics)
        write_metrics(self.run_dir, cid, metrics_doc)
        notes, stop = outcome_notes(outcome.status, outcome.info or {},
                                    getattr(outcome, "artifacts_dir", None))
        if notes:
            self.store.update_extra(cid, notes)
        if stop is not None:  # kept at the epochs reached
            outcome.reason = stop.describe()
        self._finish(cid, outcome.status, metrics_doc, outcome.reason, outcome.seconds,
                     outcome.history, outcome.weights_path)

    # ----- multi-fidelity -------------------------------------------------------------------------
    def _promote(self) -> None:
        """Submit again, to `budget.epochs`, the proxy results due a promotion
        (`lemonade.lineage.promotions_due`); their results are recorded with the others'."""
        b = self.cfg.budget
        for c in promotions_due(self.store.candidates(), b.proxy_epochs, b.promote,
                                self.objectives):
            self._rerun(c, promotion_extra(c, b.epochs), Kind.PROMOTION,
                        f"promoting candidate {c.id} to {b.epochs} epochs (candidate {{new}})")

    def _on_worker_event(self, cid: int, ev: dict[str, Any]) -> None:
        if ev.get("event") == "epoch":
            self.hooks.on_epoch(cid, ev)

    def _finish(self, cid: int, status: str, metrics_doc: dict[str, Any], reason: str | None,
                seconds: float, history: list[Any], weights: str | None) -> None:
        vals = M.values(metrics_doc)
        score = cme_of(self.objectives, vals) if status == "ok" else None
        feasible = is_feasible(self.objectives, vals) if status == "ok" else False
        # a candidate's own text (its error, its output): no secret, no home path, bounded
        reason = scrub(reason) if reason else reason
        self.store.finish_candidate(cid, status, metrics_doc, score, feasible, reason, seconds,
                                    history, weights)
        row = self.store.candidate(cid)
        self.proposing.learn(row, None if row.parent_id is None
                             else self.store.candidate(row.parent_id))
        is_best = False
        if row.ok:
            best = self.best()
            is_best = best is not None and best.id == cid
            if is_best:
                write_best(self.run_dir, row)
        self.hooks.on_candidate_end(row, is_best)


def start_run(cfg: Config, hooks: Hooks | None = None) -> Search:
    """A new run (`lemonade.opening.open_new`): its directory, store and loop; a bad input
    fails before anything is written. The run directory stays locked (RUN_DIR/.lock) while
    the returned Search lives; a second process that starts or resumes it is refused
    (lemonade.runlock.RunLocked)."""
    o = open_new(cfg)
    search = Search(o.cfg, o.run_dir, o.store, o.data, hooks, o.proposer, o.improver)
    search.run_lock = hold(search, o.lock)
    return search


def resume_run(run_dir: Path, hooks: Hooks | None = None,
               overrides: dict[str, Any] | None = None) -> Search:
    """Reopen a run (`lemonade.opening.reopen`): stale candidates become interrupted; the
    budget counts what was spent. Refused (lemonade.runlock.RunLocked) while another process
    writes to the run. The lock is held while the Search lives."""
    o = reopen(run_dir, overrides)
    search = Search(o.cfg, o.run_dir, o.store, o.data, hooks)
    search.run_lock = hold(search, o.lock)
    return search
