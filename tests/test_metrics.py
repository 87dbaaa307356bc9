"""`metrics.values`: the one reading of a metric's value, from records or their JSON."""

from __future__ import annotations

from typing import Any

import pytest

from lemonade.candidate import Candidate, Status
from lemonade.metrics import measured, to_json, unavailable, values


@pytest.mark.parametrize(("doc", "want"), [
    (None, {}),
    ({}, {}),
    ({"params": {"value": 12, "unit": "count"}}, {"params": 12.0}),
    ({"val_accuracy": {"value": 0.5}, "latency_ms": {"value": None, "unavailable": "no GPU"}},
     {"val_accuracy": 0.5}),
    ({"val_accuracy": {"value": True}}, {}),  # a bool is not a number
    ({"val_accuracy": {"value": "0.5"}}, {}),  # nor is a string
    ({"val_accuracy": 0.5, "params": None}, {}),  # not a record
])
def test_values_of_a_metrics_document(doc: Any, want: dict[str, float]) -> None:
    assert values(doc) == want
    assert Candidate(id=1, iteration=0, status=Status.OK, metrics=dict(doc or {})).values == want


def test_values_of_records_and_of_their_json_agree() -> None:
    ms = {"params": measured("params", 30), "fps": unavailable("fps", "no device")}
    assert values(ms) == values(to_json(ms)) == {"params": 30.0}
