"""The discovery loop: wiring only.

One iteration:
    draw a parent (Pareto front or tournament)  ->  expert advice on it (its metrics, the
    attempts already made from it)  ->  Prompt Improver: diagnosis + one modification (an LLM,
    or the expert system in its place)  ->  Code Generator writes the candidate
    -> static validation (bad code goes back to the proposer, a bounded number of times)
    -> isolated worker builds, trains and measures it  ->  store + feedback memory.

Every step is written to the store when it happens, so a run killed at any instant can be resumed
(`lemonade resume RUN_DIR`): finished candidates are never trained again, and a candidate that was
in flight is recorded as interrupted and its code retried first.
"""

from __future__ import annotations

import json
import random
import shutil
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lemonade import __version__
from lemonade import metrics as M
from lemonade.candidate import Candidate, Status, proposer_values
from lemonade.candidate import best as best_of
from lemonade.config import Config, ConfigError, dump_config, load_config
from lemonade.data import Dataset, load_dataset
from lemonade.expert import Advice, advise
from lemonade.memory import Attempt, FeedbackMemory, make_attempt, summary_above_code
from lemonade.objectives import cme as cme_of
from lemonade.objectives import is_feasible
from lemonade.parents import exhausted_parents, parent_attempts, select_parent
from lemonade.proposers import (
    NO_LLM_MODELS,
    Proposal,
    ProposalRequest,
    Proposer,
    make_proposer,
)
from lemonade.proposers.improver import Improver, ImproveRequest, Suggestion, make_improver
from lemonade.sandbox import CandidateJob, CandidateOutcome, check_source, code_hash, run_candidate
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

    # ----- state rebuilt from the store (resume) -------------------------------------------------
    def _iterations_done(self) -> int:
        return len({c.iteration for c in self.store.candidates() if c.has_outcome})

    def _resume_proposer(self) -> None:
        """A proposer that plays back a recording (replay) skips what this run already used."""
        skip = getattr(self.proposer, "resume_from", None)
        if callable(skip):
            skip(self.store.llm_calls())

    def _rebuild_memory(self) -> None:
        cands = self.store.candidates()
        by_id = {c.id: c for c in cands}
        for c in cands:
            if not c.has_outcome:
                continue
            if c.status is not Status.DUPLICATE:
                self.memory.record(self._attempt(c, by_id.get(c.parent_id or -1)))
            self._observe(c)

    def _observe(self, c: Candidate) -> None:
        observe = getattr(self.proposer, "observe", None)
        if callable(observe):
            observe(c)

    def _attempt(self, c: Candidate, parent: Candidate | None) -> Attempt:
        """The memory's (problem, modification, outcome) triple for a stored candidate."""
        return make_attempt(self.objectives, iteration=c.iteration, candidate_id=c.id,
                            status=str(c.status), metrics=c.values, reason=c.reason,
                            problem=c.extra.get("problem") or None,
                            modification=c.extra.get("modification") or None,
                            parent_metrics=parent.values if parent else None)

    def best(self) -> Candidate | None:
        return best_of(self.store.candidates(Status.OK), self.objectives)

    # ----- the loop -----------------------------------------------------------------------------
    def run(self) -> SearchResult:
        t_start = time.monotonic()
        spent_before = float(self.store.get_meta("seconds_spent") or 0.0)
        self.store.set_meta("status", "running")
        self.hooks.on_start({"run_dir": str(self.run_dir), "objectives": self.objectives,
                             "dataset": self.data.info(), "proposer": self.proposer.name,
                             "improver": self.improver.name,
                             "iterations_done": self._iterations_done()})
        status = "finished"
        try:
            self._retry_interrupted()
            while True:
                done = self._iterations_done()
                elapsed = spent_before + (time.monotonic() - t_start)
                if done >= self.cfg.budget.iterations:
                    break
                if elapsed >= self.cfg.budget.max_seconds:
                    self.hooks.on_message(f"wall-clock budget of {self.cfg.budget.max_seconds:.0f}s"
                                          " reached")
                    break
                if self._llm_calls() + self._calls_per_iteration() > self.cfg.budget.max_llm_calls:
                    self.hooks.on_message("LLM call budget reached")
                    break
                self.iteration(done)
                self.store.set_meta("seconds_spent",
                                    f"{spent_before + time.monotonic() - t_start:.3f}")
        except KeyboardInterrupt:
            status = "interrupted"
            self.store.mark_interrupted_stale()
        finally:
            self.store.set_meta("seconds_spent", f"{spent_before + time.monotonic() - t_start:.3f}")
            self.store.set_meta("status", status)
            if status == "finished":
                self.store.set_meta("finished_at", now_iso())
        return self.result(status, spent_before + time.monotonic() - t_start)

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
            self._evaluate(new_id, c.iteration, c.code, c.extra)

    def _choose_parent(self, it: int, cands: list[Candidate],
                       advice_by_it: dict[int, dict[str, Any]]) -> Candidate | None:
        s = self.cfg.search
        exhausted = exhausted_parents(cands, advice_by_it, self.objectives, s.stall_after)
        rng = random.Random(f"parent:{self.cfg.seed}:{it}")
        return select_parent(cands, self.objectives, policy=s.parent, rng=rng,
                             tournament_size=s.tournament_size, exhausted=exhausted)

    def iteration(self, it: int) -> None:
        cands = self.store.candidates()
        advice_by_it = {a["iteration"]: a.get("advice") or {} for a in self.store.advice()}
        parent = self._choose_parent(it, cands, advice_by_it)
        closed = [c for c in cands if c.has_outcome]
        last = closed[-1] if closed else None
        failure = None
        if last is not None and not last.ok:
            failure = f"{last.status}: {last.reason or ''}".strip()
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
            parent_metrics=parent_vals))
        improver_call = None
        if call is not None:
            improver_call = self.store.add_llm_call(None, it, "improver", call.messages,
                                                    call.response, call.usage, call.model,
                                                    call.error, call.latency_s)
        req = ProposalRequest(
            iteration=it, dataset=self.data.info(), objectives=self.objectives, advice=advice,
            memory_text=memory_text,
            parent_code=parent.code if parent else None,
            parent_genome=parent.genome if parent else None,
            parent_metrics=parent_vals, seed=self.cfg.seed + it,
            # the improver's reply goes to the generator; a failed one leaves the expert's advice
            suggestion=suggestion if suggestion.source == "improver" else None,
        )
        proposal = self.proposer.propose(req)
        kind = "generator"
        for attempt in range(self.cfg.budget.repair_attempts + 1):
            cid = self._record_proposal(it, parent, proposal, kind, advice, suggestion)
            if improver_call is not None:
                self.store.set_llm_call_candidate(improver_call, cid)
                improver_call = None
            status, error = self._try_candidate(cid, it, proposal, advice)
            if status == "ok" or attempt == self.cfg.budget.repair_attempts:
                break
            if self._llm_calls() >= self.cfg.budget.max_llm_calls:
                break
            if status == "timeout":
                # another try would likely cost the whole timeout again; the expert's failure
                # advice (smaller, shallower) steers the next iteration instead. A crash (most
                # often the out-of-memory killer) is repaired: a smaller model is the fix.
                break
            kind = "repair"
            proposal = self.proposer.repair(req, proposal, error or status)

    def _record_proposal(self, it: int, parent: Candidate | None, p: Proposal, kind: str,
                         advice: Advice, suggestion: Suggestion) -> int:
        code = p.code or ""
        # modification, for the memory: the improver's suggestion; else what the proposer says
        # it changed (the offline edit log, the generator's summary above its code); else the
        # expert's instructions that were asked for
        edit_log = (p.raw_response or "")[:400] if p.model in NO_LLM_MODELS else ""
        said = summary_above_code(p.raw_response) if not edit_log else ""
        if suggestion.source == "improver":
            modification = suggestion.modification
        else:
            modification = edit_log or said or suggestion.modification
        cid = self.store.add_candidate(
            it, parent.id if parent else None, code, code_hash(code) if code else "",
            p.genome, self.proposer.name,
            extra={"problem": suggestion.diagnosis, "modification": modification,
                   "kind": kind, "summary": edit_log or said,
                   "suggestion": suggestion.to_json(), "parent_policy": self.cfg.search.parent},
        )
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

    def _try_candidate(self, cid: int, it: int, p: Proposal, advice: Advice
                       ) -> tuple[str, str | None]:
        self.hooks.on_candidate_start(cid, it, p.model)
        if p.error or not p.code:
            reason = p.error or "the proposer returned no code"
            self._finish(cid, "rejected", {}, reason, 0.0, [], None)
            return "rejected", reason
        violations = check_source(p.code)
        if violations:
            reason = "; ".join(f"line {v.line}: {v.message}" for v in violations[:5])
            self._finish(cid, "rejected", {}, reason, 0.0, [], None)
            return "rejected", reason
        twin = self.store.find_by_hash(code_hash(p.code))
        if twin is not None and twin.id != cid:
            reason = (f"identical to candidate {twin.id} (already {twin.status}); "
                      "propose a different architecture")
            self._finish(cid, "duplicate", twin.metrics, reason, 0.0, [], None)
            return "duplicate", reason
        return self._evaluate(cid, it, p.code, {})

    def _evaluate(self, cid: int, it: int, code: str, extra: dict[str, Any]
                  ) -> tuple[str, str | None]:
        self.store.mark_running(cid)
        cdir = self.run_dir / "candidates" / f"{cid:04d}"
        cdir.mkdir(parents=True, exist_ok=True)
        # the job folder is the candidate's own: job.json, result.json and weights.pt stay with
        # the code that produced them
        job = CandidateJob(source=code, config=self.cfg.model_dump(mode="json"),
                           workdir=str(cdir), device=self.cfg.device, want_weights=True)
        outcome: CandidateOutcome = run_candidate(
            job, self.cfg.sandbox, self.cfg.budget.candidate_timeout_s,
            on_event=lambda ev: self._on_worker_event(cid, ev),
        )
        metrics_doc = M.to_json(outcome.metrics)
        (cdir / "metrics.json").write_text(json.dumps(metrics_doc, indent=2))
        self._finish(cid, outcome.status, metrics_doc, outcome.reason, outcome.seconds,
                     outcome.history, outcome.weights_path)
        return outcome.status, outcome.reason

    def _on_worker_event(self, cid: int, ev: dict[str, Any]) -> None:
        if ev.get("event") == "epoch":
            self.hooks.on_epoch(cid, ev)

    def _finish(self, cid: int, status: str, metrics_doc: dict[str, Any], reason: str | None,
                seconds: float, history: list[Any], weights: str | None) -> None:
        vals = M.values(metrics_doc)
        score = cme_of(self.objectives, vals) if status == "ok" else None
        feasible = is_feasible(self.objectives, vals) if status == "ok" else False
        self.store.finish_candidate(cid, status, metrics_doc, score, feasible, reason, seconds,
                                    history, weights)
        row = self.store.candidate(cid)
        if row.status is not Status.DUPLICATE:
            parent = self.store.candidate(row.parent_id) if row.parent_id is not None else None
            self.memory.record(self._attempt(row, parent))
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
        if row.weights_path and Path(row.weights_path).exists():
            shutil.copy2(row.weights_path, tmp / "weights.pt")
        # metrics.json is the metrics contract (keys are metric names); which candidate this is
        # and how it scored goes beside it
        (tmp / "metrics.json").write_text(json.dumps(row.metrics, indent=2))
        doc = {"candidate_id": row.id, "iteration": row.iteration, "cme": row.cme,
               "feasible": row.feasible, "parent_id": row.parent_id,
               "code_hash": row.code_hash}
        (tmp / "candidate.json").write_text(json.dumps(doc, indent=2))
        # swap in one rename so best/ is never half written
        old = self.run_dir / "best.old"
        shutil.rmtree(old, ignore_errors=True)
        if best.exists():
            best.rename(old)
        tmp.rename(best)
        shutil.rmtree(old, ignore_errors=True)


def start_run(cfg: Config, hooks: Hooks | None = None) -> Search:
    """Create a new run directory and its store; fail early on a bad dataset.

    The run directory stays locked (RUN_DIR/.lock) while the returned Search lives; a second
    process that starts or resumes it is refused (lemonade.runlock.RunLocked).
    """
    import weakref

    from lemonade import runlock
    from lemonade.sandbox import isolation

    run_dir = Path(cfg.run_dir) if cfg.run_dir else default_run_dir(cfg)
    if (run_dir / "run.db").exists():
        raise ConfigError(f"run_dir: {run_dir} already holds a run; use `lemonade resume "
                          f"{run_dir}` or choose another --run-dir")
    # everything that can fail on the user's input fails before anything is written: the
    # sandbox (isolation required but unavailable), the dataset, the proposer (a missing API
    # key, a replay source that is not a run)
    isolation.resolve(cfg.sandbox)
    data = load_dataset(cfg.dataset, seed=cfg.seed)
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
    search.run_lock = lock  # type: ignore[attr-defined]
    weakref.finalize(search, lock.release)
    return search


def resume_run(run_dir: Path, hooks: Hooks | None = None,
               overrides: dict[str, Any] | None = None) -> Search:
    """Reopen a run: stale candidates become interrupted; the budget counts what was spent.

    Refused (lemonade.runlock.RunLocked) while another process writes to the run: its
    "running" candidates are live, not stale. The lock is held while the Search lives.
    """
    import weakref

    from lemonade import runlock
    from lemonade.sandbox import isolation

    lock = runlock.acquire(run_dir) if Path(run_dir).is_dir() else None
    try:
        store = Store.open(run_dir)
        cfg = load_config(run_dir / "config.yaml", overrides)
        isolation.resolve(cfg.sandbox)
        stale = store.mark_interrupted_stale()
        store.log_event("resume", {"interrupted": stale, "at": now_iso()})
        store.set_meta("resumed_at", now_iso())
        data = load_dataset(cfg.dataset, seed=cfg.seed)
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    search = Search(cfg, run_dir, store, data, hooks)
    if lock is not None:
        search.run_lock = lock  # type: ignore[attr-defined]
        weakref.finalize(search, lock.release)
    return search
