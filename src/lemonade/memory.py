"""Feedback memory: what the proposer is told about earlier attempts, in a bounded prompt.

After "Resource-Efficient Iterative LLM-Based NAS with Feedback Memory": a sliding window of the
last K attempts, each a triple

- problem: the diagnosis the attempt started from (the Prompt Improver's, or the expert
  system's findings); never the objectives' status line, which the outcome already shows;
- modification: what was changed (the improver's suggestion, the summary the code generator
  gave above its code, or the offline proposer's edit log);
- outcome: the status and the measured validation metrics with their change from the parent,
  or the failure and its reason (a failure is a signal too: "FAILED: out of memory at build"
  steers the next proposal away from that size),

plus the best-so-far and the current Pareto set over every attempt ever recorded. Only the window
keeps text; best and Pareto keep slim copies, so memory and the rendered prompt stay the same size
however long the run. Test-split metrics are never recorded: the memory goes into prompts.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from lemonade.config import Objective
from lemonade.gate.failure_text import for_prompt
from lemonade.metrics import validation_only
from lemonade.objectives import cme as cme_of
from lemonade.objectives import (
    describe_gap,
    dominates,
    format_value,
    has_all,
    is_feasible,
    rank_key,
    ratio,
)

# Token estimate: ~4 characters per token, OpenAI's rule of thumb for English text. Numbers and
# code tokenise denser, so the true count can run over by some; the budget is a prompt-size
# target, and we enforce it exactly on the estimate (a hard character cap) so it never grows.
CHARS_PER_TOKEN = 4
STORED_CHARS = 1000  # a field longer than this (a 50 kB traceback) is cut when recorded
# a diagnosis is kept whole up to this (the improver's is at most 800 characters, the expert's a
# few lines); rendering never shortens it: outcomes and modifications give way first
PROBLEM_CHARS = 1600
SLIM_CHARS = 240  # best / Pareto copies keep this much of each text field
FULL_CHARS = 240  # per field in the rendered window, before any shortening
SHORT_CHARS = 80  # per field once an entry is shortened to fit the budget
PARETO_SHOWN = 5  # Pareto members listed (best CME first); the rest are counted


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def _cut(text: str, n: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: max(0, n - 1)] + "…"


@dataclass
class Attempt:
    iteration: int
    candidate_id: int | str | None
    problem: str  # what the expert system diagnosed before this attempt
    modification: str  # what was asked of the proposer
    outcome: str  # what was measured, or the failure
    status: str  # ok | failed | timeout | crashed | rejected | interrupted
    cme: float | None
    metrics: dict[str, float] = field(default_factory=dict)
    summary: str = ""

    @property
    def failed(self) -> bool:
        return self.status != "ok"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Attempt:
        return cls(iteration=int(d["iteration"]), candidate_id=d.get("candidate_id"),
                   problem=d.get("problem", ""), modification=d.get("modification", ""),
                   outcome=d.get("outcome", ""), status=d.get("status", "ok"),
                   cme=d.get("cme"), metrics=dict(d.get("metrics") or {}),
                   summary=d.get("summary", ""))


def _advice_parts(advice: Any) -> tuple[list[str], list[tuple[str, float]]]:
    """(diagnosis lines, [(action, magnitude)]) from an `Advice` or its JSON."""
    if advice is None:
        return [], []
    if isinstance(advice, Mapping):
        diag = list(advice.get("diagnosis", []))
        instr = [(i["action"], float(i.get("magnitude", 0.0)))
                 for i in advice.get("instructions", [])]
        return diag, instr
    return list(advice.diagnosis), [(i.action, i.magnitude) for i in advice.instructions]


def _change(metric: str, value: float | None, before: float | None) -> str:
    if value is None or before is None:
        return ""
    d = value - before
    if metric.endswith("accuracy"):
        return f", {d:+.3f} vs parent"
    if before != 0:
        return f", {d / abs(before) * 100:+.0f}% vs parent"
    return ""


def outcome_text(objectives: Sequence[Objective], metrics: Mapping[str, float],
                 parent: Mapping[str, float] | None = None) -> str:
    """`val_accuracy 0.912 (met, 0.012 over threshold, +0.020 vs parent); params 610,000 (not
    met, ..., -12% vs parent)`: validation metrics only, with the change from the parent."""
    parts = []
    for o in objectives:
        v = metrics.get(o.metric)
        state = "met" if ratio(o, v) >= 0 else "not met"
        delta = _change(o.metric, v, (parent or {}).get(o.metric))
        parts.append(f"{o.metric} {format_value(o.metric, v)} ({state}, "
                     f"{describe_gap(o, v)}{delta})")
    return "; ".join(parts)


def _validation_only(metrics: Mapping[str, float] | None) -> dict[str, float]:
    return validation_only(metrics)


def make_attempt(objectives: Sequence[Objective], *, iteration: int,
                 candidate_id: int | str | None, status: str,
                 metrics: Mapping[str, float] | None, reason: str | None = None,
                 advice: Any = None, problem: str | None = None,
                 modification: str | None = None,
                 parent_metrics: Mapping[str, float] | None = None,
                 source: str | None = None) -> Attempt:
    """An Attempt from what the store holds for a candidate (live, or from rows on resume).

    `problem` / `modification`: the diagnosis the attempt started from and what was changed; when
    not given they come from `advice` (the `lemonade.expert.Advice` it was proposed from, or its
    JSON): its findings and its instructions. `parent_metrics`: the parent's values, for the
    outcome's change from the parent. `source`: the candidate's source text, which bounds what
    a failure reason's quote keeps (`lemonade.gate.failure_text.for_prompt`). Test-split
    metrics are dropped.
    """
    metrics = _validation_only(metrics)
    parent_metrics = _validation_only(parent_metrics)
    diag, instr = _advice_parts(advice)
    if problem is None:
        # The objectives' status line is not a diagnosis: the outcome already shows it.
        problem = "; ".join(d for d in diag if not d.startswith("objectives:"))
    if modification is None:
        modification = ", ".join(f"{a} {round(m * 100)}%" if a != "add_weight_initializer"
                                 else a for a, m in instr)
    if status == "ok":
        score = cme_of(objectives, metrics)
        feasible = is_feasible(objectives, metrics)
        outcome = "ok: " + outcome_text(objectives, metrics, parent_metrics or None)
        summary = f"CME {score:+.3f}, {'feasible' if feasible else 'infeasible'}"
        if reason and reason.startswith(("partial", "pruned")):  # measured before its last epoch
            outcome += f" [{_cut(reason, 160)}]"
            summary += f" [{reason.split(':', 1)[0]}]"
    else:
        score = None
        # a run-time failure's reason is the candidate's own text: only its allow-listed shape
        why = for_prompt(reason, status, source) if reason else "no reason recorded"
        outcome = f"FAILED ({status}): {why}"
        summary = f"FAILED ({status}): {_cut(why, 80)}"
    return Attempt(iteration=iteration, candidate_id=candidate_id,
                   problem=problem or "first attempt", modification=modification or "none",
                   outcome=outcome, status=status, cme=score, metrics=metrics, summary=summary)


class FeedbackMemory:
    """The last `window` attempts, the best-so-far and the Pareto set, rendered in a budget."""

    def __init__(self, objectives: Sequence[Objective], window: int = 5,
                 token_budget: int = 1200) -> None:
        if window < 1:
            raise ValueError(f"window must be >= 1, got {window}")
        if token_budget < 50:
            raise ValueError(f"token_budget must be >= 50, got {token_budget}")
        self.objectives = list(objectives)
        self.window = window
        self.token_budget = token_budget
        self._recent: deque[Attempt] = deque(maxlen=window)
        self.best: Attempt | None = None
        self.pareto: list[Attempt] = []
        self.total = 0
        self.failures = 0

    @classmethod
    def from_attempts(cls, objectives: Sequence[Objective], attempts: Iterable[Attempt],
                      window: int = 5, token_budget: int = 1200) -> FeedbackMemory:
        """Rebuild from stored attempts, oldest first (resume): the same state as live recording."""
        mem = cls(objectives, window=window, token_budget=token_budget)
        for a in attempts:
            mem.record(a)
        return mem

    @property
    def recent(self) -> list[Attempt]:
        return list(self._recent)

    # --- recording -----------------------------------------------------------------------------
    def _slim(self, a: Attempt) -> Attempt:
        """What best/Pareto need: scores and objective metrics, short text."""
        keep = {o.metric for o in self.objectives} | {"params"}
        return replace(a, problem=_cut(a.problem, SLIM_CHARS),
                       modification=_cut(a.modification, SLIM_CHARS),
                       outcome=_cut(a.outcome, SLIM_CHARS), summary=_cut(a.summary, SLIM_CHARS),
                       metrics={k: v for k, v in a.metrics.items() if k in keep})

    def record(self, attempt: Attempt) -> None:
        a = replace(attempt, problem=_cut(attempt.problem, PROBLEM_CHARS),
                    modification=_cut(attempt.modification, STORED_CHARS),
                    outcome=_cut(attempt.outcome, STORED_CHARS),
                    summary=_cut(attempt.summary, STORED_CHARS),
                    metrics=_validation_only(attempt.metrics))
        self._recent.append(a)
        self.total += 1
        if a.failed:
            self.failures += 1
            return
        if not a.metrics:
            return
        slim = self._slim(a)
        if self.best is None or (rank_key(self.objectives, slim.metrics)
                                 < rank_key(self.objectives, self.best.metrics)):
            self.best = slim
        self._update_pareto(slim)

    def _update_pareto(self, a: Attempt) -> None:
        objs = self.objectives
        # No objectives: nothing to trade off (and every point would be non-dominated).
        if not objs or not has_all(a.metrics, objs):
            return
        vec = [a.metrics[o.metric] for o in objs]
        for p in self.pareto:
            # An identical point adds nothing; keeping the first keeps the set bounded on replays.
            if dominates(p.metrics, a.metrics, objs) or [p.metrics[o.metric] for o in objs] == vec:
                return
        self.pareto = [p for p in self.pareto if not dominates(a.metrics, p.metrics, objs)]
        self.pareto.append(a)

    # --- rendering -----------------------------------------------------------------------------
    def _metric_line(self, a: Attempt) -> str:
        shown = [o.metric for o in self.objectives]
        return ", ".join(f"{m} {format_value(m, a.metrics.get(m))}" for m in shown)

    def _header(self) -> str:
        return (f"Feedback memory: {self.total} attempts so far ({self.failures} failed); "
                f"best so far, Pareto set and the last {len(self._recent)}.")

    def _best_text(self, cap: int) -> str:
        b = self.best
        if b is None:
            return "Best so far: none yet (no candidate has been measured)."
        feas = "feasible" if is_feasible(self.objectives, b.metrics) else "infeasible"
        score = cme_of(self.objectives, b.metrics)
        return (f"Best so far: iteration {b.iteration} (candidate {b.candidate_id}), {feas}, "
                f"CME {score:+.3f}: {self._metric_line(b)}; change that made it: "
                f"{_cut(b.modification, cap)}")

    def _pareto_text(self, shown: int) -> str:
        if not self.pareto or shown <= 0:
            return f"Pareto set: {len(self.pareto)} candidates." if self.pareto else ""
        ordered = sorted(self.pareto, key=lambda p: rank_key(self.objectives, p.metrics))
        lines = [f"Pareto set ({len(self.pareto)} non-dominated over "
                 f"{', '.join(o.metric for o in self.objectives)}):"]
        lines += [f"- iteration {p.iteration}: {self._metric_line(p)}" for p in ordered[:shown]]
        if len(ordered) > shown:
            lines.append(f"- ... and {len(ordered) - shown} more")
        return "\n".join(lines)

    @staticmethod
    def _entry_text(a: Attempt, cap: int) -> str:
        # the problem (the diagnosis) is never shortened; the change and the outcome give way
        tag = "ok" if not a.failed else f"FAILED: {a.status}"
        text = (f"- iteration {a.iteration} [{tag}] problem: {_cut(a.problem, PROBLEM_CHARS)} | "
                f"change: {_cut(a.modification, cap)} | outcome: {_cut(a.outcome, cap)}")
        # A failure's summary repeats its outcome; an ok one adds the score.
        return text if a.failed or not a.summary else f"{text} | {_cut(a.summary, cap)}"

    def _compose(self, entries: Sequence[Attempt], caps: Sequence[int], best_cap: int,
                 pareto_shown: int) -> str:
        parts = [self._header(), self._best_text(best_cap), self._pareto_text(pareto_shown)]
        if entries:
            parts.append("Last attempts (oldest first):")
            parts += [self._entry_text(a, c) for a, c in zip(entries, caps, strict=True)]
        return "\n".join(p for p in parts if p)

    def render(self) -> str:
        """The memory as prompt text, at most `token_budget` estimated tokens.

        Shortening order when over budget: window entries oldest first to SHORT_CHARS for the
        change and the outcome (a diagnosis is never shortened); then drop the oldest entries
        (the newest always stays); then shorten the best and the
        Pareto list; last, a hard cut at the budget (only reached below ~200 tokens, the config's
        minimum, where the tail, newest entry included, is lost). Every field is capped, so the
        text is bounded by the window size alone, never by the run length.
        """
        limit = self.token_budget * CHARS_PER_TOKEN
        entries = list(self._recent)
        caps = [FULL_CHARS] * len(entries)
        out = self._compose(entries, caps, FULL_CHARS, PARETO_SHOWN)
        for i in range(len(caps)):  # shorten entries, oldest first
            if len(out) <= limit:
                return out
            caps[i] = SHORT_CHARS
            out = self._compose(entries, caps, FULL_CHARS, PARETO_SHOWN)
        while len(out) > limit and len(entries) > 1:  # drop the oldest, keep the newest
            entries.pop(0)
            caps.pop(0)
            out = self._compose(entries, caps, FULL_CHARS, PARETO_SHOWN)
        for best_cap, shown in ((SHORT_CHARS, 2), (SHORT_CHARS // 2, 0)):
            if len(out) <= limit:
                return out
            out = self._compose(entries, caps, best_cap, shown)
        if len(out) > limit:  # a tiny budget: cut, never exceed
            out = out[: limit - 1] + "…"
        return out


def summary_above_code(reply: str | None, limit: int = 400) -> str:
    """What an LLM says it changed: the prose above the first code fence of its reply."""
    if not reply or "```" not in reply:
        return ""
    head = reply.split("```", 1)[0]
    return _cut(head, limit) if head.strip() else ""
