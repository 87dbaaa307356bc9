"""Prompts for the LLM proposer: pure functions over templates in `lemonade/templates/`.

The system prompt holds what stays fixed for a run (the model-file contract, the dataset, the
objectives, the reply format); the user prompt holds what changes each iteration (the parent code
and its metrics, the expert's advice, the feedback memory). Templates use `string.Template`
(`$name`), so the braces of Python code in them need no escaping.

Every part that can grow is capped, so a prompt stays about the same size however long the run:
the memory is already bounded by `FeedbackMemory`, and the caps below only guard against absurd
inputs (a 200 kB parent file, a multi-megabyte traceback).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from string import Template
from typing import Any

from lemonade.candidate import proposer_values
from lemonade.config import Objective
from lemonade.gate.policy import ALLOWED_IMPORTS
from lemonade.metrics import METRICS
from lemonade.objectives import describe_gap, format_value

MAX_PARENT_CODE_CHARS = 16_000  # a normal model file is 2-6 kB
MAX_ADVICE_CHARS = 4_000
MAX_MEMORY_CHARS = 8_000
MAX_ERROR_CHARS = 2_000


@cache
def template(name: str) -> Template:
    """A template file of `lemonade/templates/` (cached: they never change while running)."""
    return Template(resources.files("lemonade").joinpath("templates", name).read_text())


def clip(text: str, limit: int, *, keep_tail: bool = False) -> str:
    """`text` cut to about `limit` characters with a visible marker of what was cut.

    With `keep_tail`, the head and the end are kept: a traceback's last lines hold the error.
    """
    if len(text) <= limit:
        return text
    cut = len(text) - limit
    if keep_tail:
        head = limit // 4
        return f"{text[:head]}\n[... {cut} characters cut ...]\n{text[-(limit - head):]}"
    return f"{text[:limit]}\n[... {cut} characters cut ...]"


def objective_lines(objectives: Sequence[Objective]) -> str:
    lines = []
    for o in sorted(objectives, key=lambda o: -o.priority):
        unit = METRICS[o.metric][0]
        bound = "at least" if o.goal == "max" else "at most"
        verb = "maximise" if o.goal == "max" else "minimise"
        lines.append(f"- {o.metric} ({unit}): {verb}; threshold {bound} "
                     f"{format_value(o.metric, o.threshold)} (priority {o.priority:g})")
    return "\n".join(lines) or "- (none given: aim for accuracy with a small model)"


def metrics_text(metrics: Mapping[str, float] | None,
                 objectives: Sequence[Objective] = ()) -> str:
    """Measured metrics, objectives first with how far each is from its threshold."""
    if not metrics:
        return "(not measured)"
    parts = []
    named = {o.metric for o in objectives}
    for o in objectives:
        v = metrics.get(o.metric)
        gap = f" ({describe_gap(o, v)})" if v is not None else ""
        parts.append(f"{o.metric}={format_value(o.metric, v)}{gap}")
    for k, v in metrics.items():
        if k not in named:
            parts.append(f"{k}={format_value(k, v)}")
    return ", ".join(parts)


def system_prompt(dataset: Mapping[str, Any], objectives: Sequence[Objective]) -> str:
    """The fixed part: contract, allowed imports, dataset, objectives, reply format."""
    h, w = [*(dataset.get("image_size") or ()), 0, 0][:2]
    return template("system.md").substitute(
        channels=dataset.get("channels", "?"),
        num_classes=dataset.get("num_classes", "?"),
        height=h, width=w,
        dataset_name=dataset.get("name", "the dataset"),
        n_train=f"{dataset['n_train']:,}" if "n_train" in dataset else "?",
        allowed_imports=", ".join(ALLOWED_IMPORTS),
        objectives=objective_lines(objectives),
    )


def suggestion_section(suggestion_text: str) -> str:
    """The Prompt Improver's reply as a section of the generator's prompt ("" without one)."""
    if not suggestion_text.strip():
        return ""
    return ("## Suggested modification (from the Prompt Improver; make this change)\n"
            + clip(suggestion_text.strip(), MAX_ADVICE_CHARS) + "\n\n")


def user_prompt(*, iteration: int, advice_text: str, memory_text: str,
                parent_code: str | None = None, parent_metrics: Mapping[str, float] | None = None,
                objectives: Sequence[Objective] = (), suggestion_text: str = "") -> str:
    """The per-iteration part: edit the parent by the advice (and the improver's suggestion,
    when there is one), or write a first model. Test metrics are dropped from the parent's."""
    common = {
        "iteration": iteration,
        "advice": clip(advice_text.strip() or "(no advice)", MAX_ADVICE_CHARS),
        "memory": clip(memory_text.strip() or "(no attempts yet)", MAX_MEMORY_CHARS),
        "suggestion": suggestion_section(suggestion_text),
    }
    if parent_code is None:
        return template("user_first.md").substitute(common)
    return template("user.md").substitute(
        common,
        parent_code=clip(parent_code.strip(), MAX_PARENT_CODE_CHARS),
        parent_metrics=metrics_text(proposer_values(parent_metrics), objectives),
    )


def improver_system_prompt(dataset: Mapping[str, Any], objectives: Sequence[Objective]) -> str:
    h, w = [*(dataset.get("image_size") or ()), 0, 0][:2]
    return template("improver_system.md").substitute(
        channels=dataset.get("channels", "?"), num_classes=dataset.get("num_classes", "?"),
        height=h, width=w, dataset_name=dataset.get("name", "the dataset"),
        objectives=objective_lines(objectives),
    )


def improver_user_prompt(*, iteration: int, advice_text: str, memory_text: str,
                         parent_code: str | None = None,
                         parent_metrics: Mapping[str, float] | None = None,
                         objectives: Sequence[Objective] = ()) -> str:
    common = {
        "iteration": iteration,
        "advice": clip(advice_text.strip() or "(no advice)", MAX_ADVICE_CHARS),
        "memory": clip(memory_text.strip() or "(no attempts yet)", MAX_MEMORY_CHARS),
    }
    if parent_code is None:
        return template("improver_first.md").substitute(common)
    return template("improver_user.md").substitute(
        common,
        parent_code=clip(parent_code.strip(), MAX_PARENT_CODE_CHARS),
        parent_metrics=metrics_text(proposer_values(parent_metrics), objectives),
    )


def repair_prompt(error: str) -> str:
    """Ask for a corrected full file, quoting the (trimmed) error."""
    return template("repair.md").substitute(
        error=clip(error.strip() or "(no error text)", MAX_ERROR_CHARS, keep_tail=True)
    )


def diff_instructions() -> str:
    """The answer format of `proposer.edit_format: diff` (appended to the user prompt)."""
    return template("diff.md").substitute()


def diff_failed_prompt(error: str) -> str:
    """An edit that did not apply: ask once for the full file."""
    return template("diff_failed.md").substitute(
        error=clip(error.strip() or "(no error text)", MAX_ERROR_CHARS, keep_tail=True))
