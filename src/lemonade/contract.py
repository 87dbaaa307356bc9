"""The contract normalizer in the loop and the CLI: a proposal's code made to fit `Net`.

`lemonade.gate.normalize` does the work (pure, on the syntax tree); this module applies it to
a proposal (the normalized code is what is stored, hashed, trained and shown; what changed goes
with the candidate as `extra.normalized`), and writes refusals of a normalized file with the
line numbers the author wrote.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from lemonade.gate.normalize import Normalized, normalize_source, original_line
from lemonade.gate.violation import CodeRejected, Violation
from lemonade.proposers import Proposal


def dataset_dims(info: Mapping[str, Any] | None) -> dict[str, Any]:
    """normalize_source's keyword arguments from a Dataset.info() (or {} when unknown)."""
    if not info:
        return {}
    size = info.get("image_size")
    return {"in_channels": info.get("channels"), "num_classes": info.get("num_classes"),
            "image_size": tuple(size) if size else None}


def normalize(source: str, info: Mapping[str, Any] | None = None) -> Normalized:
    """normalize_source with a dataset's figures; CodeRejected when it refuses."""
    return normalize_source(source, **dataset_dims(info))


def normalize_proposal(p: Proposal, info: Mapping[str, Any] | None) -> tuple[Proposal, str]:
    """(the proposal with its code normalized, what changed). A refusal becomes the proposal's
    error (the repair prompt quotes it), its code the one written."""
    if p.error or not p.code:
        return p, ""
    try:
        out = normalize(p.code, info)
    except CodeRejected as e:
        return dataclasses.replace(p, error=refusal(e.violations)), ""
    if out.code == p.code:
        return p, out.note
    return dataclasses.replace(p, code=out.code, original_code=p.code), out.note


def refusal(violations: Sequence[Violation], original: str | None = None,
            normalized: str | None = None, limit: int = 5) -> str:
    """'line N: message; ...', lines as the author wrote them when the file was normalized."""
    def line(v: Violation) -> int:
        if original is None or normalized is None or v.line <= 0:
            return v.line
        return original_line(original, normalized, v.line)

    return "; ".join(f"line {line(v)}: {v.message}" if v.line > 0 else v.message
                     for v in violations[:limit])


def with_normalized(modification: str | None, normalized: str | None) -> str | None:
    """The memory's modification, with what the normalizer changed (so the LLM learns the
    contract from its own slips)."""
    if not normalized:
        return modification or None
    return f"{modification or 'none'} (lemonade normalized the file: {normalized})"
