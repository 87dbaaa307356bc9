"""The Prompt Improver: the role that decides *what* to change next, before the code is written.

After "Resource-Efficient Iterative LLM-Based NAS with Feedback Memory": the work of one iteration
is split between a Prompt Improver, which diagnoses the last result and proposes one concrete
modification, and a Code Generator, which writes the model file from that suggestion (with the
expert system's instructions beside it).

Two improvers:
- `ExpertImprover`: the rule-based expert system plays the role (no LLM call): the diagnosis is
  the expert's findings, the modification its instructions.
- `LLMImprover`: an LLM on any OpenAI-compatible endpoint (`proposer.improver`, each field
  defaulting to `proposer`'s). It receives the parent's code, its validation metrics against the
  thresholds, the expert's diagnosis and instructions (conflicts resolved) and the memory, and
  replies with a small JSON object `{"diagnosis": ..., "modification": ...}`; two labelled lines
  are accepted too. A reply that cannot be used falls back to the expert's suggestion, and the
  reason is recorded with the call.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from lemonade.config import Objective, ProposerConfig
from lemonade.expert import Advice
from lemonade.gate.scrub import scrub
from lemonade.prompts import improver_system_prompt, improver_user_prompt
from lemonade.proposers import zero_usage

MAX_FIELD_CHARS = 800  # a diagnosis or modification longer than this is an essay, not a step


@dataclass(frozen=True)
class Suggestion:
    diagnosis: str
    modification: str
    source: str  # "improver" (an LLM's reply) | "expert" (the rule-based system's)
    error: str | None = None  # why an improver's reply was not used (the expert's stands in)
    form: str = ""  # how the improver's reply was read: json | labels | prose ('' : expert)

    def prompt_text(self) -> str:
        return f"Diagnosis: {self.diagnosis}\nModification: {self.modification}"

    def to_json(self) -> dict[str, Any]:
        return {"diagnosis": self.diagnosis, "modification": self.modification,
                "source": self.source, "error": self.error, "form": self.form}

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Suggestion:
        return cls(doc.get("diagnosis", ""), doc.get("modification", ""),
                   doc.get("source", "expert"), doc.get("error"), doc.get("form", ""))


@dataclass
class ImproveRequest:
    iteration: int
    dataset: dict[str, Any]
    objectives: list[Objective]
    advice: Advice
    memory_text: str
    parent_code: str | None = None
    parent_metrics: dict[str, float] | None = None  # validation metrics only
    # this call's sampling temperature (neighbouring slots differ); None: the configured one
    temperature: float | None = None


@dataclass
class ImproverCall:
    """What the loop stores in `llm_calls` with kind "improver"."""

    messages: list[dict[str, str]]
    response: str | None
    model: str
    usage: dict[str, int] = field(default_factory=zero_usage)
    error: str | None = None
    latency_s: float = 0.0


class Improver(Protocol):
    name: str
    # its configured LLM temperature, which the loop moves by each slot's offset; None: no LLM
    temperature: float | None

    def improve(self, req: ImproveRequest) -> tuple[Suggestion, ImproverCall | None]: ...


def expert_suggestion(advice: Advice, error: str | None = None) -> Suggestion:
    """The expert system's advice as a suggestion: its findings and its instructions."""
    findings = list(advice.findings)
    instructions = [i.text() for i in advice.instructions]
    return Suggestion(diagnosis="; ".join(findings) or "first model: nothing measured yet",
                      modification="; ".join(instructions) or "write an initial model",
                      source="expert", error=error)


def _clean(text: Any) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_FIELD_CHARS else text[: MAX_FIELD_CHARS - 1] + "…"


# Labels an improver may put its two parts under (lower case); the first group is the
# diagnosis, the second the modification.
DIAGNOSIS_LABELS = ("diagnosis", "problem", "analysis", "issue", "observation", "finding",
                    "findings", "bottleneck", "reason", "assessment")
MODIFICATION_LABELS = ("modification", "change", "suggestion", "recommendation",
                       "proposed change", "proposed modification", "proposal", "next step",
                       "action", "fix", "improvement", "suggested change", "recommended change",
                       "plan", "edit")
_ALL_LABELS = sorted((*DIAGNOSIS_LABELS, *MODIFICATION_LABELS), key=len, reverse=True)
_LABELS = re.compile(r"^[\W_]*(" + "|".join(re.escape(k) for k in _ALL_LABELS)
                     + r")s?[\W_]*?\s*[:\-–]\s*(.*)$", re.IGNORECASE)
# Words a suggestion about a network's architecture uses; prose with none is off-topic.
_ON_TOPIC = re.compile(
    r"\b(layer|layers|conv\w*|channel\w*|width|depth|kernel\w*|block\w*|param\w*|pool\w*|"
    r"stride\w*|linear|batch ?norm\w*|dropout|residual|skip|attention|filter\w*|neuron\w*|"
    r"activation\w*|relu|gelu|flops|latency|accuracy|stage\w*|head|bottleneck|"
    r"depthwise|separable|expansion|embedding|hidden|units|model|network|architecture)\b",
    re.IGNORECASE)
MIN_PROSE_CHARS = 20


def _kind(label: str) -> str:
    low = " ".join(label.lower().split())
    return "diagnosis" if low in DIAGNOSIS_LABELS else "modification"


def _from_json(text: str) -> tuple[str, str] | None:
    for brace in re.finditer(r"\{", text):
        try:
            doc, _ = json.JSONDecoder().raw_decode(text[brace.start():])
        except ValueError:
            continue
        if not isinstance(doc, Mapping):
            continue
        found: dict[str, str] = {}
        for k, v in doc.items():
            key = " ".join(str(k).lower().replace("_", " ").split())
            if key in DIAGNOSIS_LABELS or key in MODIFICATION_LABELS:
                if isinstance(v, list):
                    v = "; ".join(str(x) for x in v)
                if isinstance(v, str) and v.strip():
                    found.setdefault(_kind(key), v)
        if "modification" in found:
            return found.get("diagnosis", ""), found["modification"]
    return None


def _from_labels(text: str) -> tuple[str, str] | None:
    found: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        m = _LABELS.match(line.strip())
        if m:
            current = _kind(m.group(1))
            found.setdefault(current, [])
            if m.group(2).strip():
                found[current].append(m.group(2).strip())
        elif current is not None and line.strip() and not line.strip().startswith("```"):
            found[current].append(line.strip())
    mod = " ".join(found.get("modification", [])).strip()
    if not mod:
        return None
    return " ".join(found.get("diagnosis", [])).strip(), mod


def _from_prose(text: str) -> str | None:
    """The reply's prose (code blocks and <think> parts dropped) when it is about the model."""
    prose = re.sub(r"<think>.*?</think>", " ", text, flags=re.DOTALL | re.IGNORECASE)
    prose = re.sub(r"```.*?(```|$)", " ", prose, flags=re.DOTALL)
    prose = " ".join(prose.split())
    if len(prose) < MIN_PROSE_CHARS or not _ON_TOPIC.search(prose):
        return None
    return prose


def read_reply(text: str) -> tuple[str, str, str]:
    """(diagnosis, modification, form) from an improver's reply; ValueError saying why not.

    Read, in this order: a JSON object (bare, fenced or inside prose) with a modification under
    any known key (modification, change, suggestion, recommendation, proposed change, ...)
    and optionally a diagnosis (diagnosis, problem, analysis, ...) -> form "json"; labelled
    lines ("Suggestion: ...", "**Proposed change** - ...", a label's text running to the next
    label) -> "labels"; else the reply's prose, when it talks about the model -> "prose".
    Texts are capped and whitespace-folded; the caller scrubs them."""
    if not text or not text.strip():
        raise ValueError("empty reply")
    for form, reader in (("json", _from_json), ("labels", _from_labels)):
        got = reader(text)
        if got is not None:
            diag, mod = got
            return _clean(diag) if diag else "", _clean(mod), form
    prose = _from_prose(text)
    if prose is None:
        raise ValueError("no suggestion in the reply (no JSON, no labelled lines, and its prose "
                         "does not talk about the model)")
    return "", _clean(prose), "prose"


def parse_reply(text: str) -> tuple[str, str]:
    """(diagnosis, modification) from an improver's reply (see `read_reply`)."""
    diag, mod, _ = read_reply(text)
    return diag, mod


class ExpertImprover:
    """No LLM: the rule-based expert system's diagnosis and instructions are the suggestion."""

    name = "expert"
    temperature: float | None = None

    def improve(self, req: ImproveRequest) -> tuple[Suggestion, ImproverCall | None]:
        return expert_suggestion(req.advice), None


def build_messages(req: ImproveRequest) -> list[dict[str, str]]:
    advice_text = req.advice.prompt_text() if req.advice is not None else ""
    return [
        {"role": "system", "content": improver_system_prompt(req.dataset, req.objectives)},
        {"role": "user", "content": improver_user_prompt(
            iteration=req.iteration, advice_text=advice_text, memory_text=req.memory_text,
            parent_code=req.parent_code, parent_metrics=req.parent_metrics,
            objectives=req.objectives)},
    ]


class LLMImprover:
    """An LLM on an OpenAI-compatible endpoint plays the Prompt Improver."""

    name = "improver"

    def __init__(self, cfg: ProposerConfig, *, seed: int = 0,
                 sleep: Callable[[float], None] = time.sleep,
                 environ: Mapping[str, str] | None = None) -> None:
        from lemonade.proposers.openai_compat import ChatClient

        self.cfg = cfg
        self.temperature: float | None = cfg.temperature
        self.chat = ChatClient(cfg, seed=seed, sleep=sleep, environ=environ)

    def improve(self, req: ImproveRequest) -> tuple[Suggestion, ImproverCall | None]:
        messages = build_messages(req)
        r = self.chat.chat(messages, temperature=req.temperature)
        call = ImproverCall(messages=messages, response=r.content, model=r.model, usage=r.usage,
                            error=r.error, latency_s=r.latency_s)
        if r.content is None:
            return expert_suggestion(req.advice, f"improver call failed: {r.error}"), call
        try:
            diagnosis, modification, form = read_reply(r.content)
        except ValueError as e:
            call.error = f"unusable improver reply: {e}; the expert's advice was used"
            return expert_suggestion(req.advice, call.error), call
        if not diagnosis:  # a reply that only says what to change: the expert's findings
            diagnosis = expert_suggestion(req.advice).diagnosis
        return Suggestion(scrub(diagnosis), scrub(modification), source="improver",
                          form=form), call


def make_improver(cfg: ProposerConfig, *, seed: int = 0) -> Improver:
    """The LLM improver when `proposer.improver` is set, else the expert system in its place.

    Raises ConfigError (at construction) for a missing API key, like the generator."""
    settings = cfg.improver_settings()
    if settings is None:
        return ExpertImprover()
    return LLMImprover(settings, seed=seed)
