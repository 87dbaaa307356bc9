"""`search.start_from`: the user's own model file as candidate 1.

The file is normalized (`lemonade.contract`) and statically checked when the run starts (a file
that cannot be used fails the start with the line to fix, before anything is written); the run
records it as candidate 1 of iteration 0 (proposer "user", no LLM call), trains and measures it
like any other, and the generator's first prompt edits it as the parent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lemonade.config import ConfigError
from lemonade.contract import normalize, refusal
from lemonade.gate.static import CodeRejected, check_source
from lemonade.origin import Kind, Origin
from lemonade.sandbox.check import read_model_file

START_KIND = str(Kind.START)  # the candidate's extra.kind
START_PROPOSER = "user"


def read_start_file(path: str, info: Mapping[str, Any]) -> tuple[str, str]:
    """(the normalized code, what was changed); ConfigError naming the line when unusable."""
    try:
        source = read_model_file(path)
    except ValueError as e:
        raise ConfigError(f"search.start_from: {e}") from None
    try:
        out = normalize(source, info)
    except CodeRejected as e:
        raise ConfigError(f"search.start_from: {path}: {refusal(e.violations)}") from None
    violations = check_source(out.code)
    if violations:
        raise ConfigError(f"search.start_from: {path}: "
                          f"{refusal(violations, source, out.code)}")
    return out.code, out.note


def start_extra(path: str, note: str) -> dict[str, Any]:
    """The start candidate's extra (what the memory and the report show of it)."""
    extra: dict[str, Any] = {**Origin(Kind.START, attempt=0).to_extra(), "start_from": path,
                             "problem": "first attempt",
                             "modification": "the user's own model (search.start_from)",
                             "summary": ""}
    if note:
        extra["normalized"] = note
    return extra
