"""The proposal stage of an iteration, up to a candidate that may train.

    parent (Pareto front or tournament)  ->  expert advice on it  ->  Prompt Improver
    (diagnosis + one modification; an LLM, or the expert system)  ->  Code Generator  ->
    contract normalizer  ->  static checks (a rejected proposal is repaired at once, a bounded
    number of times)  ->  a `Slot` the loop submits for training.

Every proposal is a store row when it is made (`extra`: its typed `Origin` and what the memory
and the report show of it), with its LLM call and, for a generator, the iteration's advice. A
training failure's repair (`Repair`) is proposed here too, live or rebuilt from the store after
a resume (`Proposing.owed_repairs`, over `lemonade.lineage.owed_repairs`).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lemonade.candidate import Candidate, Status, proposer_values
from lemonade.config import Config
from lemonade.contract import normalize_proposal, refusal, with_normalized
from lemonade.data import Dataset
from lemonade.expert import Advice, advise
from lemonade.gate import check_source, code_hash
from lemonade.gate.failure_text import for_prompt
from lemonade.lineage import is_new_attempt, may_call, owed_repairs
from lemonade.memory import FeedbackMemory, make_attempt, summary_above_code
from lemonade.origin import Kind, Origin
from lemonade.parents import exhausted_parents, parent_attempts, select_parent
from lemonade.proposers import NO_LLM_MODELS, Proposal, ProposalRequest, Proposer
from lemonade.proposers.improver import Improver, ImproveRequest, Suggestion, expert_suggestion
from lemonade.rundir import write_code
from lemonade.store import Store

# closes a candidate that never trains: (id, status, reason, metrics.json document)
Close = Callable[[int, str, str, dict[str, Any]], None]


@dataclass
class Slot:
    """A candidate submitted for training, and what a repair of it would need (`req` is None
    for a candidate that is not repaired: the user's model, a retry, a promotion)."""

    cid: int
    it: int
    req: ProposalRequest | None
    proposal: Proposal | None
    attempt: int
    kind: Kind = Kind.GENERATOR
    parent: Candidate | None = None
    advice: Advice | None = None
    suggestion: Suggestion | None = None
    code_hash: str = ""

    @property
    def code(self) -> str:
        return (self.proposal.code if self.proposal is not None else None) or ""

    def repair(self, error: str) -> Repair | None:
        """The repair of this candidate after it failed in training with `error`."""
        if self.req is None or self.proposal is None or self.advice is None \
                or self.suggestion is None:
            return None
        return Repair(self.it, self.parent, self.req, self.proposal, error, self.attempt,
                      self.advice, self.suggestion, self.cid)


@dataclass(frozen=True)
class Repair:
    """A candidate that failed in training, to be repaired next."""

    it: int
    parent: Candidate | None
    req: ProposalRequest
    proposal: Proposal
    error: str
    attempt: int
    advice: Advice
    suggestion: Suggestion
    cid: int | None = None  # the failed candidate (the repair's Origin.source)


class Proposing:
    """One run's proposal stage (the loop's `Search` owns it)."""

    def __init__(self, cfg: Config, data: Dataset, store: Store, run_dir: Path,
                 objectives: list[Any], memory: FeedbackMemory, proposer: Proposer,
                 improver: Improver, on_start: Callable[[int, int, str], None],
                 close: Close, in_flight: Callable[[], Iterable[Slot]]) -> None:
        self.cfg, self.data, self.store, self.run_dir = cfg, data, store, run_dir
        self.objectives, self.memory = objectives, memory
        self.proposer, self.improver = proposer, improver
        self._on_start, self._close, self._in_flight = on_start, close, in_flight

    def llm_calls(self) -> int:
        """LLM calls spent (the budget's `max_llm_calls`): improver, generator and repair calls
        alike; offline/random/evolution proposals are free."""
        return self.store.count_llm_calls(exclude_models=NO_LLM_MODELS)

    # ----- what the memory and the proposer learn from results ----------------------------------
    def learn(self, c: Candidate, parent: Candidate | None) -> None:
        """A finished candidate, told to the memory (its problem, modification, outcome) and to
        the proposer (`observe`); a promotion trains a code already learned: not again."""
        if not is_new_attempt(c):
            return
        if c.status is not Status.DUPLICATE:
            self.memory.record(make_attempt(
                self.objectives, iteration=c.iteration, candidate_id=c.id, status=str(c.status),
                metrics=c.values, reason=c.reason, source=c.code,
                problem=c.extra.get("problem") or None,
                modification=with_normalized(c.extra.get("modification"),
                                             c.extra.get("normalized")),
                parent_metrics=parent.values if parent else None))
        self.proposer.observe(c)

    def relearn(self) -> None:
        """A resumed run: every stored outcome learned again, in order."""
        cands = self.store.candidates()
        by_id = {c.id: c for c in cands}
        for c in cands:
            if c.has_outcome:
                self.learn(c, by_id.get(c.parent_id or -1))

    # ----- a new iteration ------------------------------------------------------------------------
    def choose_parent(self, it: int, cands: list[Candidate],
                      advice_by_it: dict[int, dict[str, Any]]) -> Candidate | None:
        s = self.cfg.search
        exhausted = exhausted_parents(cands, advice_by_it, self.objectives, s.stall_after)
        rng = random.Random(f"parent:{self.cfg.seed}:{it}")
        parent = select_parent(cands, self.objectives, policy=s.parent, rng=rng,
                               tournament_size=s.tournament_size, exhausted=exhausted)
        if parent is None:  # nothing measured yet: the user's model, while it trains
            parent = next((c for c in cands if c.origin.kind is Kind.START), None)
        return parent

    def advice_by_iteration(self) -> dict[int, dict[str, Any]]:
        """The stored expert advice of each iteration."""
        return {a["iteration"]: a.get("advice") or {} for a in self.store.advice()}

    def propose(self, it: int, cands: list[Candidate], slot: int = 0) -> Slot | None:
        """Iteration `it`: parent, advice, improver, proposal; the slot to train when it passes
        the static checks (repaired at once, a bounded number of times, when it does not).

        `slot` (`it % parallel.batch`) sets the generator's temperature
        (`ParallelConfig.slot_temperature`); its repairs keep that temperature."""
        advice_by_it = self.advice_by_iteration()
        parent = self.choose_parent(it, cands, advice_by_it)
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
        req = self.request(it, parent, advice, memory_text, suggestion,
                           self.cfg.parallel.slot_temperature(slot, self.cfg.proposer.temperature))
        proposal = self.proposer.propose(req)
        return self._checked(it, parent, req, proposal, Kind.GENERATOR, advice, suggestion,
                             improver_call, 0)

    def request(self, it: int, parent: Candidate | None, advice: Advice, memory_text: str,
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

    # ----- repairs --------------------------------------------------------------------------------
    def repair(self, r: Repair) -> Slot | None:
        """Propose the repair of a candidate that failed in training."""
        proposal = self.proposer.repair(r.req, r.proposal, r.error)
        return self._checked(r.it, r.parent, r.req, proposal, Kind.REPAIR, r.advice,
                             r.suggestion, None, r.attempt + 1, repair_of=r.cid)

    def owed_repairs(self) -> list[Repair]:
        """The repairs still due when the run stopped (`lemonade.lineage.owed_repairs`), each
        request rebuilt from the store: the parent, the iteration's advice, the improver's
        suggestion, the slot's temperature, and the proposal from its LLM call."""
        cands = self.store.candidates()
        owed = owed_repairs(cands, self.cfg.budget.repair_attempts)
        if not owed:
            return []
        by_id = {c.id: c for c in cands}
        advice_by_it = self.advice_by_iteration()
        calls = {c["candidate_id"]: c for c in self.store.llm_calls()
                 if c["kind"] in ("generator", "repair", "propose")}
        memory_text = self.memory.render()
        out: list[Repair] = []
        for c, attempt in owed:
            parent = by_id.get(c.parent_id) if c.parent_id is not None else None
            advice = Advice.from_json(advice_by_it.get(c.iteration) or {})
            doc = c.extra.get("suggestion") or {}
            suggestion = Suggestion.from_json(doc) if doc else expert_suggestion(advice)
            temperature = c.origin.temperature
            req = self.request(c.iteration, parent, advice, memory_text, suggestion, temperature)
            call = calls.get(c.id) or {}
            proposal = Proposal(code=c.code, genome=c.genome, raw_response=call.get("response"),
                                messages=call.get("messages"), usage=call.get("usage") or {},
                                model=call.get("model") or "", error=call.get("error"),
                                latency_s=call.get("latency_s") or 0.0, temperature=temperature)
            out.append(Repair(c.iteration, parent, req, proposal,
                              for_prompt(c.reason, str(c.status), c.code),
                              attempt, advice, suggestion, c.id))
        return out

    # ----- recording and checking a proposal ------------------------------------------------------
    def _checked(self, it: int, parent: Candidate | None, req: ProposalRequest,
                 proposal: Proposal, kind: Kind, advice: Advice, suggestion: Suggestion,
                 improver_call: int | None, attempt: int,
                 repair_of: int | None = None) -> Slot | None:
        """Record the proposal; the slot to train when it passes the static checks, else its
        repair, at once, while attempts and LLM calls are left (None when none passes)."""
        while True:
            proposal, normalized = normalize_proposal(proposal, self.data.info())
            origin = Origin(kind=kind, attempt=attempt, source=repair_of,
                            fidelity=self.cfg.budget.proxy_epochs or None,
                            temperature=proposal.temperature)
            cid = self._record(it, parent, proposal, origin, advice, suggestion, normalized)
            if improver_call is not None:
                self.store.set_llm_call_candidate(improver_call, cid)
                improver_call = None
            status, error = self._check(cid, it, proposal)
            if status is None:
                return Slot(cid, it, req, proposal, attempt, kind, parent, advice, suggestion)
            if attempt >= self.cfg.budget.repair_attempts \
                    or not may_call(self.llm_calls(), self.cfg.budget.max_llm_calls):
                return None
            kind, attempt, repair_of = Kind.REPAIR, attempt + 1, cid
            proposal = self.proposer.repair(req, proposal, error or status)

    def _record(self, it: int, parent: Candidate | None, p: Proposal, origin: Origin,
                advice: Advice, suggestion: Suggestion, normalized: str = "") -> int:
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
                 "summary": edit_log or said, "suggestion": suggestion.to_json(),
                 "parent_policy": self.cfg.search.parent, **origin.to_extra()}
        if normalized:  # what the contract normalizer changed (report, memory)
            extra["normalized"] = normalized
        cid = self.store.add_candidate(
            it, parent.id if parent else None, code, code_hash(code) if code else "",
            p.genome, self.proposer.name, extra=extra)
        self.store.add_llm_call(cid, it, str(origin.kind), p.messages, p.raw_response, p.usage,
                                p.model, p.error, p.latency_s)
        if origin.kind is Kind.GENERATOR:
            self.store.add_advice(it, cid, advice.to_json())
        if code:
            write_code(self.run_dir, cid, code)
        return cid

    def _check(self, cid: int, it: int, p: Proposal) -> tuple[str | None, str | None]:
        """Static checks before training: (None, None) when the candidate may train, else the
        status it was closed with and why."""
        if p.error or not p.code:
            return self._reject(cid, it, p, "rejected", p.error or "the proposer returned no code")
        violations = check_source(p.code)
        if violations:
            return self._reject(cid, it, p, "rejected",
                                refusal(violations, p.original_code, p.code))
        h = code_hash(p.code)
        twin = self.store.find_by_hash(h)
        # a twin proposed earlier is still training: a duplicate all the same
        sibling = next((s.cid for s in self._in_flight() if s.code_hash == h), None)
        if (twin is not None and twin.id != cid) or sibling is not None:
            tid, state = (twin.id, str(twin.status)) if twin is not None else (sibling, "training")
            return self._reject(cid, it, p, "duplicate",
                                f"identical to candidate {tid} (already {state}); "
                                "propose a different architecture",
                                twin.metrics if twin is not None else {})
        return None, None

    def _reject(self, cid: int, it: int, p: Proposal, status: str, reason: str,
                metrics_doc: dict[str, Any] | None = None) -> tuple[str, str]:
        self._on_start(cid, it, p.model)
        self._close(cid, status, reason, metrics_doc or {})
        return status, reason
