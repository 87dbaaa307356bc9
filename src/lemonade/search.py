"""The discovery loop: wiring only.

One iteration:
    draw a parent (Pareto front or tournament)  ->  expert advice on it (its metrics, the
    attempts already made from it)  ->  Prompt Improver: diagnosis + one modification (an LLM,
    or the expert system in its place)  ->  Code Generator writes the candidate
    -> static validation (bad code goes back to the proposer, a bounded number of times)
    -> isolated worker builds, trains and measures it  ->  store + feedback memory.

Candidates in flight (`parallel.batch`, default `parallel.workers`): the loop keeps up to
`batch` candidates training at once through `lemonade.parallel`'s pool (one sandboxed process
per candidate; Ray tasks when workers > 1). It proposes the first `batch` iterations from the
same (empty or resumed) store, so the first ones are the same whatever the number of workers;
after that, each time a result is recorded the next iteration is proposed at once from the
store as it is then, while the others go on training: no round waits for its slowest candidate,
and an LLM writes the next model while the others train. Iteration `it` takes slot
`it % batch`: its own parent draw, proposer seed (`seed + it`) and LLM temperature
(`parallel.temperatures`). A candidate that failed in training is repaired next, ahead of new
iterations. With one worker the pool runs one candidate at a time in order, so a run is
reproducible; with several, which results an iteration sees depends on which finished first.

Multi-fidelity (`budget.proxy_epochs`): every candidate first trains the proxy epochs; after each
result the proxy results in the top `budget.promote` fraction of all proxy results so far are
trained again, from scratch, to `budget.epochs` (a new row, extra `fidelity_of`). Ranking
compares two codes at the highest fidelity both have (`lemonade.candidate.rank_by_fidelity`).

Every step is written to the store when it happens, so a run killed at any instant can be resumed
(`lemonade resume RUN_DIR`): finished candidates are never trained again, and a candidate that was
in flight is recorded as interrupted and its code retried first. A repair that was still due
is rebuilt from the store (`Search._pending_repairs`), and promotions are caught up.
"""

from __future__ import annotations

import functools
import json
import math
import random
import shutil
import socket
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lemonade import __version__, runlock
from lemonade import metrics as M
from lemonade.budget import clock_for, with_front
from lemonade.candidate import (
    Candidate,
    Status,
    best_of,
    proposer_values,
    rank_by_fidelity,
)
from lemonade.config import Config, ConfigError, dump_config, load_config
from lemonade.contract import normalize_proposal, refusal, with_normalized
from lemonade.data import Dataset, load_dataset
from lemonade.expert import Advice, advise
from lemonade.finalize import FinalizeError, finalize_run, plain_state_dict, save_state_dict
from lemonade.gate import check_source, code_hash, scrub
from lemonade.gate.failure_text import for_prompt
from lemonade.memory import Attempt, FeedbackMemory, make_attempt, summary_above_code
from lemonade.objectives import cme as cme_of
from lemonade.objectives import is_feasible
from lemonade.parallel import Done, Pool, candidate_task, needs_ray, open_pool, task_resources
from lemonade.parents import exhausted_parents, parent_attempts, select_parent
from lemonade.prescreen import prescreen_limits
from lemonade.proposers import (
    NO_LLM_MODELS,
    Proposal,
    ProposalRequest,
    Proposer,
    make_proposer,
)
from lemonade.proposers.improver import (
    Improver,
    ImproveRequest,
    Suggestion,
    expert_suggestion,
    make_improver,
)
from lemonade.pruning import front_for
from lemonade.sandbox import isolation
from lemonade.sandbox.host_measure import split_blobs
from lemonade.sandbox.prestart import release_warm
from lemonade.sandbox.process import start_fork_server
from lemonade.sandbox.runner import CandidateJob, CandidateOutcome, training_job
from lemonade.start import START_KIND, START_PROPOSER, read_start_file, start_extra
from lemonade.store import Store


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def default_run_dir(cfg: Config) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("runs") / f"{cfg.dataset.name}-{cfg.proposer.kind}-{stamp}"


@dataclass
class Hooks:
    """What the loop tells the outside world (the CLI draws progress from these)."""

    on_start: Callable[[dict[str, Any]], None] = lambda info: None
    on_candidate_start: Callable[[int, int, str], None] = lambda cid, it, kind: None
    on_epoch: Callable[[int, dict[str, Any]], None] = lambda cid, ev: None
    on_candidate_end: Callable[[Candidate, bool], None] = lambda row, is_best: None
    on_message: Callable[[str], None] = lambda text: None


@dataclass
class SearchResult:
    run_dir: Path
    status: str  # finished | interrupted
    best: Candidate | None
    baseline: Candidate | None  # the first successful candidate (the starting model)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


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
        done = self._iterations_done()
        # A resumed offline/random proposer must not replay the same random choices: offset its seed
        # by the work already done (the store's code-hash check catches any repeat anyway).
        self.proposer: Proposer = proposer or make_proposer(cfg.proposer,
                                                            seed=cfg.seed + 7919 * done)
        self.improver: Improver = improver or make_improver(cfg.proposer,
                                                            seed=cfg.seed + 7919 * done)
        self._resume_proposer()
        self._rebuild_memory()
        self.pool: Pool  # lemonade.parallel's pool, open while run() runs
        self.run_lock: runlock.RunLock | None = None  # held while this Search lives (start_run)
        self._shared: Any = None  # what the pool shares with every task (the split files)
        self._in_flight: dict[Hashable, _Slot] = {}  # by the pool's task key: the candidate id
        # training failures, repaired next (a resumed run: those it still owed)
        self._repairs: list[_Repair] = self._pending_repairs()

    # ----- state rebuilt from the store (resume) -------------------------------------------------
    def _iterations_done(self) -> int:
        return len({c.iteration for c in self.store.candidates() if c.has_outcome})

    def _resume_proposer(self) -> None:
        """A proposer that plays back a recording (replay) skips what this run already used."""
        self.proposer.resume_from(self.store.llm_calls())

    def _rebuild_memory(self) -> None:
        cands = self.store.candidates()
        by_id = {c.id: c for c in cands}
        for c in cands:
            if not c.has_outcome or c.lineage != c.id:  # a promotion is not a new attempt
                continue
            if c.status is not Status.DUPLICATE:
                self.memory.record(self._attempt(c, by_id.get(c.parent_id or -1)))
            self._observe(c)

    def _pending_repairs(self) -> list[_Repair]:
        """The training failures whose repair was still due when the run stopped.

        A candidate that failed or crashed in training (not a retry of an interrupted one, not a
        promotion: those are not repaired live either) is owed a repair while its attempt
        (`extra.attempt`; older runs: its place in the iteration's repair chain) is below
        `budget.repair_attempts` and no repair was proposed after it in its iteration (a
        repair is always the same iteration, `extra.repair_of` naming what it repairs). The
        request is rebuilt from the store: the parent, the iteration's advice, the improver's
        suggestion, the slot's temperature, and the proposal from its LLM call."""
        cands = self.store.candidates()
        limit = self.cfg.budget.repair_attempts
        owed: list[tuple[Candidate, int]] = []
        for c in cands:
            if c.status not in (Status.FAILED, Status.CRASHED) \
                    or c.extra.get("kind") not in ("generator", "repair") \
                    or c.extra.get("retry_of") is not None \
                    or c.extra.get("fidelity_of") is not None:
                continue
            chain = [r for r in cands if r.iteration == c.iteration
                     and r.extra.get("kind") == "repair" and r.extra.get("retry_of") is None]
            if any(r.id > c.id for r in chain):
                continue  # already repaired
            attempt = c.extra.get("attempt")
            if attempt is None:
                attempt = sum(r.id < c.id for r in chain) + (c.extra.get("kind") == "repair")
            if int(attempt) < limit:
                owed.append((c, int(attempt)))
        if not owed:
            return []
        by_id = {c.id: c for c in cands}
        advice_by_it = {a["iteration"]: a.get("advice") or {} for a in self.store.advice()}
        calls = {c["candidate_id"]: c for c in self.store.llm_calls()
                 if c["kind"] in ("generator", "repair", "propose")}
        memory_text = self.memory.render()
        out: list[_Repair] = []
        for c, attempt in owed:
            parent = by_id.get(c.parent_id) if c.parent_id is not None else None
            advice = Advice.from_json(advice_by_it.get(c.iteration) or {})
            doc = c.extra.get("suggestion") or {}
            suggestion = Suggestion.from_json(doc) if doc else expert_suggestion(advice)
            temperature = c.extra.get("temperature")
            req = self._request(c.iteration, parent, advice, memory_text, suggestion,
                                temperature)
            call = calls.get(c.id) or {}
            proposal = Proposal(code=c.code, genome=c.genome, raw_response=call.get("response"),
                                messages=call.get("messages"), usage=call.get("usage") or {},
                                model=call.get("model") or "", error=call.get("error"),
                                latency_s=call.get("latency_s") or 0.0, temperature=temperature)
            out.append(_Repair(c.iteration, parent, req, proposal,
                               for_prompt(c.reason, str(c.status), c.code),
                               attempt, advice, suggestion, c.id))
        return out

    def _observe(self, c: Candidate) -> None:
        self.proposer.observe(c)

    def _attempt(self, c: Candidate, parent: Candidate | None) -> Attempt:
        """The memory's (problem, modification, outcome) triple for a stored candidate."""
        return make_attempt(self.objectives, iteration=c.iteration, candidate_id=c.id,
                            status=str(c.status), metrics=c.values, reason=c.reason,
                            source=c.code,
                            problem=c.extra.get("problem") or None,
                            modification=with_normalized(c.extra.get("modification"),
                                                         c.extra.get("normalized")),
                            parent_metrics=parent.values if parent else None)

    def best(self) -> Candidate | None:
        return best_of(self.store.candidates(Status.OK), self.objectives)

    # ----- the loop -----------------------------------------------------------------------------
    def run(self) -> SearchResult:

        t_start = time.monotonic()
        spent_before = float(self.store.get_meta("seconds_spent") or 0.0)
        self.store.set_meta("status", "running")
        self.hooks.on_start({"run_dir": str(self.run_dir), "objectives": self.objectives,
                             "objective_sources": [s for _, s in self.cfg.objective_sources()],
                             "dataset": self.data.info(), "proposer": self.proposer.name,
                             "improver": self.improver.name,
                             "iterations_done": self._iterations_done()})
        status = "finished"
        if not needs_ray(self.cfg):  # the fork server warms up while the run gets going
            start_fork_server(self.cfg.sandbox, self.cfg.device)
        self.pool = open_pool(self.cfg)
        try:
            self._shared = self.pool.share(self._split_blobs())
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
            release_warm()  # the processes started ahead for a next candidate that never came
            self.store.set_meta("seconds_spent", f"{spent_before + time.monotonic() - t_start:.3f}")
            self.store.set_meta("status", status)
            if status == "finished":
                self.store.set_meta("finished_at", now_iso())
        if status == "finished" and self.cfg.budget.final_epochs and self.best() is not None:
            self._finalize()
        return self.result(status, spent_before + time.monotonic() - t_start)

    def _finalize(self) -> None:
        """`budget.final_epochs`: retrain the best candidate on train+val (RUN_DIR/final/)."""

        self.hooks.on_message(f"final training: {self.cfg.budget.final_epochs} epochs on "
                              "train+val")
        try:
            # one training: no Ray runtime to start for it (one failed to start under load)
            finalize_run(self.run_dir, top=1, epochs=self.cfg.budget.final_epochs, seeds=1,
                         workers=1)
        except Exception as e:  # the search is done and stored: say so, never lose it here
            why = str(e) if isinstance(e, FinalizeError) else f"{type(e).__name__}: {e}"
            self.hooks.on_message(f"final training failed: {why}; retry with `lemonade "
                                  f"finalize {self.run_dir}`")

    def _split_blobs(self) -> Any:
        """What the pool shares with its tasks: the split files' bytes (Ray), or nothing.

        The host writes the dataset's split files once (lemonade.sandbox.host_measure); a task
        on another process or machine gets their bytes from the object store and writes them
        into its own cache, so no task loads or preprocesses the dataset again. In-process
        (one worker) the files are already there."""
        if self.pool.workers <= 1 and not self.cfg.parallel.ray_address:
            return None

        return split_blobs(self.cfg)

    def result(self, status: str, seconds: float) -> SearchResult:
        cands = self.store.candidates()
        ok = [c for c in cands if c.ok]
        counts: dict[str, int] = {}
        for c in cands:
            counts[str(c.status)] = counts.get(str(c.status), 0) + 1
        return SearchResult(run_dir=self.run_dir, status=status, best=self.best(),
                            baseline=ok[0] if ok else None, counts=counts, seconds=seconds)

    def _llm_calls(self) -> int:
        """LLM calls spent (the budget's `max_llm_calls`): improver, generator and repair calls
        alike; offline/random/evolution proposals are free."""
        return self.store.count_llm_calls(exclude_models=NO_LLM_MODELS)

    def _calls_per_iteration(self) -> int:
        """LLM calls one iteration needs at the least: the improver's, then the generator's."""
        return 1 + (self.improver.name != "expert")

    def _retry_interrupted(self) -> None:
        """Candidates that were in flight when the run died: their code is run again, once."""
        for c in self.store.candidates(Status.INTERRUPTED):
            if c.extra.get("retried"):
                continue
            if c.extra.get("fidelity_of") is None:
                its_done = {r.iteration for r in self.store.candidates() if r.has_outcome}
                if c.iteration in its_done:
                    continue
            self.store.update_extra(c.id, {"retried": True})
            self.hooks.on_message(f"retrying candidate {c.id} (interrupted)")
            new_id = self.store.add_candidate(c.iteration, c.parent_id, c.code, c.code_hash,
                                              c.genome, c.proposer,
                                              extra={**c.extra, "retry_of": c.id,
                                                     "retried": False})
            self._write_code(new_id, c.code)
            self._submit(_Slot(new_id, c.iteration, None, None, 0), c.code)
        self._drain()

    def _submit_start(self) -> None:
        """`search.start_from`: the user's model is candidate 1 (no LLM call) of a new run."""
        path = self.cfg.search.start_from
        if not path or self.store.candidates():
            return
        code, note = read_start_file(path, self.data.info())
        cid = self.store.add_candidate(0, None, code, code_hash(code), None, START_PROPOSER,
                                       extra=start_extra(path, note))
        self._write_code(cid, code)
        self.hooks.on_message(f"candidate {cid}: your model from {path}"
                              + (f" (normalized: {note})" if note else ""))
        self._submit(_Slot(cid, 0, None, None, 0), code)

    def _choose_parent(self, it: int, cands: list[Candidate],
                       advice_by_it: dict[int, dict[str, Any]]) -> Candidate | None:
        s = self.cfg.search
        exhausted = exhausted_parents(cands, advice_by_it, self.objectives, s.stall_after)
        rng = random.Random(f"parent:{self.cfg.seed}:{it}")
        parent = select_parent(cands, self.objectives, policy=s.parent, rng=rng,
                               tournament_size=s.tournament_size, exhausted=exhausted)
        if parent is None:  # nothing measured yet: the user's model, while it trains
            parent = next((c for c in cands if c.extra.get("kind") == START_KIND), None)
        return parent

    # ----- keeping `batch` candidates in flight ---------------------------------------------------
    def _fill(self, elapsed: float) -> str | None:
        """Propose and submit until `parallel.batch` candidates are in flight, repairs of
        training failures first, then new iterations up to `budget.iterations`. Returns why it
        stopped proposing for good (the wall-clock or LLM-call budget), else None.

        Iteration `it` is slot `it % batch` (its parent draw, seed and LLM temperature: see
        `propose`). A proposal rejected by the static checks is repaired at once, before
        anything trains; one that never passes them takes its iteration with it."""
        b = self.cfg.budget
        slots = self.cfg.parallel.in_flight
        while len(self._in_flight) < slots:
            if elapsed >= b.max_seconds:
                self._repairs.clear()
                return f"wall-clock budget of {b.max_seconds:.0f}s reached"
            if self._repairs:
                r = self._repairs.pop(0)
                if self._llm_calls() >= b.max_llm_calls:
                    self._repairs.clear()
                    return "LLM call budget reached"
                proposal = self.proposer.repair(r.req, r.proposal, r.error)
                self._propose_and_check(r.it, r.parent, r.req, proposal, "repair", r.advice,
                                        r.suggestion, None, r.attempt + 1, repair_of=r.cid)
                continue
            cands = self.store.candidates()
            it = max((c.iteration for c in cands), default=-1) + 1
            if it >= b.iterations:
                return None
            if self._llm_calls() + self._calls_per_iteration() > b.max_llm_calls:
                return "LLM call budget reached"
            advice_by_it = {a["iteration"]: a.get("advice") or {} for a in self.store.advice()}
            self.propose(it, cands, advice_by_it, slot=it % slots)
        return None

    def propose(self, it: int, cands: list[Candidate],
                advice_by_it: dict[int, dict[str, Any]], slot: int = 0) -> None:
        """Iteration `it`: parent, advice, improver, proposal; submitted when it passes the
        static checks (repaired at once, a bounded number of times, when it does not).

        `slot` (`it % parallel.batch`) sets the generator's temperature
        (`ParallelConfig.slot_temperature`); its repairs keep that temperature."""
        parent = self._choose_parent(it, cands, advice_by_it)
        closed = [c for c in cands if c.has_outcome]
        last = closed[-1] if closed else None
        failure = None
        if last is not None and not last.ok:
            failure = f"{last.status}: {for_prompt(last.reason, str(last.status), last.code)}"
        # what a proposer may see of the parent: validation metrics, never the test split's
        parent_vals = proposer_values(parent.values) if parent else None
        history = (parent_attempts(parent, cands, advice_by_it, self.objectives)
                   if parent else [])
        advice = advise(self.objectives, parent_vals, history=history,
                        extra_rules=self.cfg.rules, failure=failure,
                        stall_after=self.cfg.search.stall_after)
        memory_text = self.memory.render()
        suggestion, call = self.improver.improve(ImproveRequest(
            iteration=it, dataset=self.data.info(), objectives=self.objectives, advice=advice,
            memory_text=memory_text, parent_code=parent.code if parent else None,
            parent_metrics=parent_vals, temperature=self._improver_temperature(slot)))
        improver_call = None
        if call is not None:
            improver_call = self.store.add_llm_call(None, it, "improver", call.messages,
                                                    call.response, call.usage, call.model,
                                                    call.error, call.latency_s)
        req = self._request(it, parent, advice, memory_text, suggestion,
                            self.cfg.parallel.slot_temperature(slot, self.cfg.proposer.temperature))
        proposal = self.proposer.propose(req)
        self._propose_and_check(it, parent, req, proposal, "generator", advice, suggestion,
                                improver_call, 0)

    def _request(self, it: int, parent: Candidate | None, advice: Advice, memory_text: str,
                 suggestion: Suggestion, temperature: float | None) -> ProposalRequest:
        """The generator's request for iteration `it` (a new proposal, or one rebuilt from the
        store for a repair after a resume)."""
        return ProposalRequest(
            iteration=it, dataset=self.data.info(), objectives=self.objectives, advice=advice,
            memory_text=memory_text,
            parent_code=parent.code if parent else None,
            parent_genome=parent.genome if parent else None,
            # what a proposer may see of the parent: validation metrics, never the test split's
            parent_metrics=proposer_values(parent.values) if parent else None,
            seed=self.cfg.seed + it,
            # the improver's reply goes to the generator; a failed one leaves the expert's advice
            suggestion=suggestion if suggestion.source == "improver" else None,
            temperature=temperature)

    def _improver_temperature(self, slot: int) -> float | None:
        """The improver's temperature for `slot`: its own configured temperature,
        moved by the same offset as the generator's slot temperature
        (`ParallelConfig.slot_temperature`), within [0, 2]; None for the expert system."""
        base = self.improver.temperature
        if base is None:
            return None
        gen = self.cfg.proposer.temperature
        offset = self.cfg.parallel.slot_temperature(slot, gen) - gen
        return round(min(2.0, max(0.0, base + offset)), 4)

    def _propose_and_check(self, it: int, parent: Candidate | None, req: ProposalRequest,
                           proposal: Proposal, kind: str, advice: Advice,
                           suggestion: Suggestion, improver_call: int | None,
                           attempt: int, repair_of: int | None = None) -> None:
        while True:
            proposal, normalized = normalize_proposal(proposal, self.data.info())
            cid = self._record_proposal(it, parent, proposal, kind, advice, suggestion,
                                        attempt, repair_of, normalized)
            if improver_call is not None:
                self.store.set_llm_call_candidate(improver_call, cid)
                improver_call = None
            slot = _Slot(cid, it, req, proposal, attempt, parent, advice, suggestion)
            status, error = self._check(cid, it, proposal)
            if status is None:
                self._submit(slot, proposal.code or "")
                return
            if attempt >= self.cfg.budget.repair_attempts \
                    or self._llm_calls() >= self.cfg.budget.max_llm_calls:
                return
            kind, attempt, repair_of = "repair", attempt + 1, cid
            proposal = self.proposer.repair(req, proposal, error or status)

    def _record_proposal(self, it: int, parent: Candidate | None, p: Proposal, kind: str,
                         advice: Advice, suggestion: Suggestion, attempt: int = 0,
                         repair_of: int | None = None, normalized: str = "") -> int:
        code = p.code or ""
        # modification, for the memory: the improver's suggestion; else what the proposer says
        # it changed (the offline edit log, the generator's summary above its code); else the
        # expert's instructions that were asked for
        edit_log = (p.raw_response or "")[:400] if not p.from_llm else ""
        said = summary_above_code(p.raw_response) if not edit_log else ""
        if suggestion.source == "improver":
            modification = suggestion.modification
        else:
            modification = edit_log or said or suggestion.modification
        extra = {"problem": suggestion.diagnosis, "modification": modification,
                 "kind": kind, "summary": edit_log or said,
                 "suggestion": suggestion.to_json(), "parent_policy": self.cfg.search.parent,
                 "attempt": attempt}
        if repair_of is not None:
            extra["repair_of"] = repair_of
        if normalized:  # what the contract normalizer changed (report, memory)
            extra["normalized"] = normalized
        if self.cfg.budget.proxy_epochs:
            extra["fidelity"] = self.cfg.budget.proxy_epochs
        if p.temperature is not None:  # the LLM call's sampling temperature (llm_calls has no
            extra["temperature"] = p.temperature  # column for call parameters)
        cid = self.store.add_candidate(
            it, parent.id if parent else None, code, code_hash(code) if code else "",
            p.genome, self.proposer.name, extra=extra)
        self.store.add_llm_call(cid, it, kind, p.messages, p.raw_response, p.usage, p.model,
                                p.error, p.latency_s)
        if kind == "generator":
            self.store.add_advice(it, cid, advice.to_json())
        if code:
            self._write_code(cid, code)
        return cid

    def _write_code(self, cid: int, code: str) -> None:
        d = self.run_dir / "candidates" / f"{cid:04d}"
        d.mkdir(parents=True, exist_ok=True)
        (d / "model.py").write_text(code)

    def _check(self, cid: int, it: int, p: Proposal) -> tuple[str | None, str | None]:
        """Static checks before training: (None, None) when the candidate may train, else the
        status it was closed with and why."""
        if p.error or not p.code:
            reason = p.error or "the proposer returned no code"
            self.hooks.on_candidate_start(cid, it, p.model)
            self._finish(cid, "rejected", {}, reason, 0.0, [], None)
            return "rejected", reason
        violations = check_source(p.code)
        if violations:
            reason = refusal(violations, p.original_code, p.code)
            self.hooks.on_candidate_start(cid, it, p.model)
            self._finish(cid, "rejected", {}, reason, 0.0, [], None)
            return "rejected", reason
        h = code_hash(p.code)
        twin = self.store.find_by_hash(h)
        # a twin proposed earlier is still training: a duplicate all the same
        sibling = next((s.cid for s in self._in_flight.values() if s.code_hash == h), None)
        if (twin is not None and twin.id != cid) or sibling is not None:
            tid, state = (twin.id, str(twin.status)) if twin is not None else (sibling, "training")
            reason = (f"identical to candidate {tid} (already {state}); "
                      "propose a different architecture")
            self.hooks.on_candidate_start(cid, it, p.model)
            self._finish(cid, "duplicate", twin.metrics if twin is not None else {}, reason, 0.0,
                         [], None)
            return "duplicate", reason
        return None, None

    # ----- training through the pool --------------------------------------------------------------
    def _job(self, cid: int, code: str, epochs: int | None) -> CandidateJob:
        cfg = self.cfg
        if epochs is not None or cfg.budget.proxy_epochs:
            budget = cfg.budget.model_copy(update={"epochs": epochs or cfg.budget.epochs,
                                                   "proxy_epochs": None})
            cfg = cfg.model_copy(update={"budget": budget})
        # "auto": the timed inference-energy loop and the int8 quantization only when an
        # objective or rule needs them
        measure = cfg.measure.model_copy(
            update={"inference_energy": cfg.measures_inference_energy(),
                    "int8": cfg.measures_int8()})
        cfg = cfg.model_copy(update={"measure": measure})
        cdir = self.run_dir / "candidates" / f"{cid:04d}"
        cdir.mkdir(parents=True, exist_ok=True)
        # the job folder is the candidate's own: job.json, result.json and the weights stay
        # with the code that produced them
        return training_job(cfg, code, workdir=cdir, want_weights=True,
                            warm_next=self.cfg.sandbox.prestart)

    def _submit(self, slot: _Slot, code: str) -> None:

        row = self.store.candidate(slot.cid)
        self.store.mark_running(slot.cid)
        self.hooks.on_candidate_start(slot.cid, slot.it, row.proposer or "")
        slot.code_hash = code_hash(code)
        self._in_flight[slot.cid] = slot
        sink = self.pool.event_sink(functools.partial(self._on_worker_event, slot.cid))
        b = self.cfg.budget
        ok = self.store.candidates(Status.OK)
        clock = clock_for([(c.values, c.metrics) for c in ok],
                          b.candidate_timeout_s, row.fidelity or b.epochs,
                          int(self.data.x_train.shape[0]),
                          prescreen_limits(self.objectives, b.prescreen_factor,
                                           b.prescreen_metrics),
                          b.prescreen_factor)
        if b.prune:  # early stopping on the whole front (lemonade.pruning)
            clock = with_front(clock, front_for(ok, self.objectives, clock.epochs),
                               self.objectives, b.prune_margin, b.prune_min_epoch)
        self.pool.submit(candidate_task, self._job(slot.cid, code, row.fidelity),
                         self._shared, sink, clock,
                         resources=task_resources(self.cfg, gpus=self.pool.gpus), key=slot.cid)

    def _drain(self) -> None:
        """Record every submitted candidate's result, in the order they finish."""
        for done in self.pool.as_completed():
            self._record_done(done)

    def _record_done(self, done: Done) -> None:
        """Record one finished task; a training failure is queued for repair (`_fill`)."""
        slot = self._in_flight.pop(done.key)
        if done.ok:
            outcome: CandidateOutcome = done.value
        elif done.lost_worker:
            outcome = CandidateOutcome(status="crashed", reason=done.error)
        else:
            outcome = CandidateOutcome(status="failed", reason=f"sandbox error: {done.error}")
        self._record_outcome(slot.cid, outcome)
        if outcome.status in ("failed", "crashed") and slot.req is not None \
                and slot.proposal is not None and slot.advice is not None \
                and slot.suggestion is not None and slot.attempt < self.cfg.budget.repair_attempts:
            # a timeout is not repaired: another try would likely cost the whole timeout
            # again; the expert's failure advice steers the next iteration instead. A crash
            # (most often the out-of-memory killer) is repaired: a smaller model is the fix.
            self._repairs.append(_Repair(
                slot.it, slot.parent, slot.req, slot.proposal,
                for_prompt(outcome.reason, outcome.status, slot.proposal.code), slot.attempt,
                slot.advice, slot.suggestion, slot.cid))

    def _record_outcome(self, cid: int, outcome: CandidateOutcome) -> None:
        cdir = self.run_dir / "candidates" / f"{cid:04d}"
        metrics_doc = M.to_json(outcome.metrics)
        (cdir / "metrics.json").write_text(json.dumps(metrics_doc, indent=2))
        isolation = (outcome.info or {}).get("isolation")
        if isolation is not None:
            self.store.update_extra(cid, {"isolation": isolation})
        # where its time went: its processes' start-up (started ahead or not), the measurement
        startup = (outcome.info or {}).get("startup")
        if isinstance(startup, dict):
            measure = (outcome.info or {}).get("measure") or {}
            self.store.update_extra(cid, {"timing": {"startup": startup,
                                                     "measure_s": measure.get("seconds")}})
        if getattr(outcome, "artifacts_dir", None):
            self.store.update_extra(cid, {"artifacts_dir": outcome.artifacts_dir})
        if isinstance((outcome.info or {}).get("prescreen"), dict):  # the figures it was sent
            self.store.update_extra(cid, {"prescreen": outcome.info["prescreen"]})  # back with
        partial = (outcome.info or {}).get("partial")
        if outcome.status == "ok" and isinstance(partial, dict):  # kept at the epochs reached
            self.store.update_extra(cid, {"pruned" if partial.get("pruned") else "partial":
                                          partial})
            outcome.reason = (f"{'' if partial.get('pruned') else 'partial: '}"
                              f"{partial.get('reason')}; measured after "
                              f"{partial.get('epochs_run')} of {partial.get('epochs')} epochs")
        self._finish(cid, outcome.status, metrics_doc, outcome.reason, outcome.seconds,
                     outcome.history, outcome.weights_path)

    # ----- multi-fidelity -------------------------------------------------------------------------
    def _promote(self) -> None:
        """Submit again, to `budget.epochs`, the proxy-fidelity candidates that rank in the top
        `budget.promote` fraction of all proxy results so far (asynchronous successive halving:
        a candidate not promoted now may be later, as worse ones arrive). Their results are
        recorded with the others'."""
        b = self.cfg.budget
        if not b.proxy_epochs:
            return
        cands = self.store.candidates()
        proxies = [c for c in cands if c.ok and c.fidelity == b.proxy_epochs
                   and c.extra.get("fidelity_of") is None]
        promoted = {c.extra.get("fidelity_of") for c in cands
                    if c.extra.get("fidelity_of") is not None}
        top = rank_by_fidelity(proxies, self.objectives)[:math.ceil(b.promote * len(proxies))]
        for c in top:
            if c.id in promoted:
                continue
            new_id = self.store.add_candidate(
                c.iteration, c.parent_id, c.code, c.code_hash, c.genome, c.proposer,
                extra={**{k: v for k, v in c.extra.items()
                          if k in ("problem", "modification", "summary", "parent_policy")},
                       "kind": "promotion", "fidelity": b.epochs, "fidelity_of": c.id})
            self._write_code(new_id, c.code)
            self.hooks.on_message(f"promoting candidate {c.id} to {b.epochs} epochs "
                                  f"(candidate {new_id})")
            self._submit(_Slot(new_id, c.iteration, None, None, 0), c.code)

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
        promoted = row.extra.get("fidelity_of") is not None
        if row.status is not Status.DUPLICATE and not promoted:
            parent = self.store.candidate(row.parent_id) if row.parent_id is not None else None
            self.memory.record(self._attempt(row, parent))
        if not promoted:  # the same code again, at a higher fidelity: not a new member
            self._observe(row)
        is_best = False
        if row.ok:
            best = self.best()
            is_best = best is not None and best.id == cid
            if is_best:
                self._write_best(row)
        self.hooks.on_candidate_end(row, is_best)

    def _write_best(self, row: Candidate) -> None:
        best = self.run_dir / "best"
        tmp = self.run_dir / "best.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        (tmp / "model.py").write_text(row.code)
        cdir = self.run_dir / "candidates" / f"{row.id:04d}"
        for name in ("graph.json", "weights.safetensors"):
            # the checked exported program the measurement used (lemonade.sandbox.artifacts)
            if (cdir / name).is_file():
                shutil.copy2(cdir / name, tmp / name)
        if row.weights_path and Path(row.weights_path).is_file():
            # weights.pt: a state_dict for model.py's Net (torch.load(weights_only=True))

            save_state_dict(plain_state_dict(row.weights_path), tmp / "weights.pt")
        # metrics.json is the metrics contract (keys are metric names); which candidate this is
        # and how it scored goes beside it
        (tmp / "metrics.json").write_text(json.dumps(row.metrics, indent=2))
        doc = {"candidate_id": row.id, "iteration": row.iteration, "cme": row.cme,
               "feasible": row.feasible, "parent_id": row.parent_id,
               "code_hash": row.code_hash, "fidelity": row.fidelity,
               "fidelity_of": row.extra.get("fidelity_of")}
        (tmp / "candidate.json").write_text(json.dumps(doc, indent=2))
        # swap in one rename so best/ is never half written
        old = self.run_dir / "best.old"
        shutil.rmtree(old, ignore_errors=True)
        if best.exists():
            best.rename(old)
        tmp.rename(best)
        shutil.rmtree(old, ignore_errors=True)


@dataclass
class _Slot:
    """A candidate submitted to the pool, and what a repair of it would need."""

    cid: int
    it: int
    req: ProposalRequest | None
    proposal: Proposal | None
    attempt: int
    parent: Candidate | None = None
    advice: Advice | None = None
    suggestion: Suggestion | None = None
    code_hash: str = ""


@dataclass(frozen=True)
class _Repair:
    """A candidate that failed in training, to be repaired next."""

    it: int
    parent: Candidate | None
    req: ProposalRequest
    proposal: Proposal
    error: str
    attempt: int
    advice: Advice
    suggestion: Suggestion
    cid: int | None = None  # the failed candidate (the repair's extra.repair_of)


def start_run(cfg: Config, hooks: Hooks | None = None) -> Search:
    """Create a new run directory and its store; fail early on a bad dataset.

    The run directory stays locked (RUN_DIR/.lock) while the returned Search lives; a second
    process that starts or resumes it is refused (lemonade.runlock.RunLocked).
    """
    import weakref


    run_dir = Path(cfg.run_dir) if cfg.run_dir else default_run_dir(cfg)
    if (run_dir / "run.db").exists():
        raise ConfigError(f"run_dir: {run_dir} already holds a run; use `lemonade resume "
                          f"{run_dir}` or choose another --run-dir")
    # everything that can fail on the user's input fails before anything is written: the
    # sandbox (isolation required but unavailable), the dataset, the proposer (a missing API
    # key, a replay source that is not a run)
    isolation.resolve(cfg.sandbox)
    data = load_dataset(cfg.dataset, seed=cfg.seed)
    if cfg.search.start_from:  # the user's model: usable, or the line to fix, now
        read_start_file(cfg.search.start_from, data.info())
    proposer = make_proposer(cfg.proposer, seed=cfg.seed)
    improver = make_improver(cfg.proposer, seed=cfg.seed)  # its API key, checked now as well
    cfg = cfg.model_copy(update={"run_dir": str(run_dir)})
    run_dir.mkdir(parents=True, exist_ok=True)
    lock = runlock.acquire(run_dir)
    if (run_dir / "run.db").exists():  # another start won the race for this folder
        lock.release()
        raise ConfigError(f"run_dir: {run_dir} already holds a run; use `lemonade resume "
                          f"{run_dir}` or choose another --run-dir")
    config_yaml = dump_config(cfg)
    (run_dir / "config.yaml").write_text(config_yaml)
    store = Store.create(run_dir, config_yaml, {
        "name": run_dir.name, "dataset": cfg.dataset.name, "proposer": cfg.proposer.kind,
        "model": cfg.proposer.model if cfg.proposer.kind == "openai" else cfg.proposer.kind,
        "started_at": now_iso(), "status": "running", "lemonade_version": __version__,
        "host": socket.gethostname(), "dataset_info": json.dumps(data.info()),
        "objectives": json.dumps([o.model_dump(mode="json")
                                  for o in cfg.resolved_objectives()]),
    })
    search = Search(cfg, run_dir, store, data, hooks, proposer, improver)
    search.run_lock = lock
    weakref.finalize(search, lock.release)
    return search


def resume_run(run_dir: Path, hooks: Hooks | None = None,
               overrides: dict[str, Any] | None = None) -> Search:
    """Reopen a run: stale candidates become interrupted; the budget counts what was spent.

    Refused (lemonade.runlock.RunLocked) while another process writes to the run: its
    "running" candidates are live, not stale. The lock is held while the Search lives.
    """
    import weakref


    lock = runlock.acquire(run_dir) if Path(run_dir).is_dir() else None
    try:
        store = Store.open(run_dir)
        cfg = load_config(run_dir / "config.yaml", overrides)
        isolation.resolve(cfg.sandbox)
        stale = store.mark_interrupted_stale()
        # flags given for this resumption only (config.yaml keeps the run's own settings)
        given = {k: v for k, v in (overrides or {}).items() if v is not None}
        store.log_event("resume", {"interrupted": stale, "at": now_iso(), "overrides": given})
        store.set_meta("resumed_at", now_iso())
        data = load_dataset(cfg.dataset, seed=cfg.seed)
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    search = Search(cfg, run_dir, store, data, hooks)
    if lock is not None:
        search.run_lock = lock
        weakref.finalize(search, lock.release)
    return search
