"""The table: every llm_style file is either accepted as written (after the contract
normalizer) or refused with a message naming the line and the fix (tests/llm_style_corpus.py)."""

from __future__ import annotations

import re

import pytest
import torch
from llm_style_corpus import load_cases, outcome, repaired

CASES = load_cases()
torch.set_num_threads(1)


def test_corpus_covers_both_outcomes() -> None:
    assert len(CASES) >= 25
    assert all(c.expect in ("accepted", "refused") for c in CASES), [
        c.path.name for c in CASES if c.expect not in ("accepted", "refused")]
    assert sum(c.expect == "refused" for c in CASES) >= 8
    assert sum(c.expect == "accepted" for c in CASES) >= 15
    assert all(c.source.startswith("# llm_style - ") for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.path.name for c in CASES])
def test_llm_style_file(case) -> None:  # type: ignore[no-untyped-def]
    got = outcome(case.source, case.info)
    if case.expect == "accepted":
        assert got.accepted, f"{case.path.name}: {got.stage}: {got.message}"
        assert "class Net(" in got.code or "class Net(" in case.source
    else:
        assert not got.accepted, f"{case.path.name} was accepted: {got.note}"
        assert case.match and case.match in got.message, got.message
        assert re.search(r"\bline \d+", got.message), got.message  # names the line


@pytest.mark.parametrize("case", [c for c in CASES if c.expect == "refused"],
                         ids=[c.path.name for c in CASES if c.expect == "refused"])
def test_one_repair_that_follows_the_refusal_is_accepted(case) -> None:  # type: ignore[no-untyped-def]
    got = outcome(repaired(case), case.info)
    assert got.accepted, f"{case.path.name}: {got.stage}: {got.message}"
