"""Prompt construction: the system prompt states the contract, imports, dataset and objectives;
the user prompt carries parent, advice and memory; every part is bounded."""

from __future__ import annotations

import pytest

from lemonade import prompts as P
from lemonade.config import Objective
from lemonade.gate.policy import ALLOWED_IMPORTS

DIGITS = {"name": "digits", "channels": 1, "image_size": [8, 8], "num_classes": 10,
          "n_train": 1293, "n_val": 144, "n_test": 360}
OBJECTIVES = [Objective(metric="params", threshold=20_000, priority=2),
              Objective(metric="val_accuracy", threshold=0.95, priority=3),
              Objective(metric="latency_ms", threshold=3.0, priority=1)]
PARENT = "import torch\nfrom torch import nn\n\n\nclass Net(nn.Module):\n    pass\n"


@pytest.fixture(scope="module")
def system() -> str:
    return P.system_prompt(DIGITS, OBJECTIVES)


@pytest.mark.parametrize("needle", [
    "class Net(nn.Module)",
    "__init__(self, in_channels: int, num_classes: int)",
    "Net(in_channels=1, num_classes=10)",
    "(B, C, H, W)",
    "(B, num_classes)",
    "8 x 8 pixels",
    # the static check's own allow-list: the prompt cannot drift from what is accepted
    ", ".join(ALLOWED_IMPORTS),
    "torch.nn.init",
    "os, sys, subprocess, eval, exec, open",
    "pretrained weights",
    "downloads",
    "digits: 1,293 training images",
    "10 classes",
    "```python",
    "exactly one",
    "complete model file",
])
def test_system_prompt_states_the_contract(system: str, needle: str) -> None:
    assert needle in system


@pytest.mark.parametrize(("line", "earlier_than"), [
    ("- val_accuracy (fraction): maximise; threshold at least 0.950 (priority 3)", "params"),
    ("- params (count): minimise; threshold at most 20,000 (priority 2)", "latency_ms"),
    ("- latency_ms (ms): minimise; threshold at most 3 (priority 1)", None),
])
def test_objectives_with_thresholds_by_priority(system: str, line: str, earlier_than) -> None:
    assert line in system
    if earlier_than:
        assert system.index(line) < system.index(f"- {earlier_than} (")


def test_no_placeholder_is_left_unfilled(system: str) -> None:
    user = P.user_prompt(iteration=2, advice_text="a", memory_text="m", parent_code=PARENT,
                         parent_metrics={"params": 1.0}, objectives=OBJECTIVES)
    for text in (system, user, P.user_prompt(iteration=0, advice_text="", memory_text=""),
                 P.repair_prompt("boom")):
        assert "$" not in text


def test_user_prompt_with_a_parent() -> None:
    text = P.user_prompt(
        iteration=4, advice_text="Instructions:\n1. Reduce kernels (channels) by about 30%",
        memory_text="#3 add dropout -> val 0.91", parent_code=PARENT,
        parent_metrics={"val_accuracy": 0.91, "params": 40_000.0, "flops": 1.5e6},
        objectives=OBJECTIVES)
    assert "Iteration 4." in text
    assert PARENT.strip() in text
    assert "params=40,000 (2.0x over threshold)" in text
    assert "val_accuracy=0.910 (0.040 under threshold)" in text
    assert "latency_ms=unmeasured" in text
    assert "flops=1,500,000" in text  # measured metrics outside the objectives too
    assert "Reduce kernels (channels) by about 30%" in text
    assert "#3 add dropout -> val 0.91" in text
    assert "Edit the parent model: make the suggested modification" in text
    assert "Prompt Improver" not in text  # no improver: the expert's advice alone


def test_first_iteration_asks_for_an_initial_model() -> None:
    text = P.user_prompt(iteration=0, advice_text="Diagnosis:\n- no metrics yet",
                         memory_text="")
    assert "Write an initial model" in text
    assert "no metrics yet" in text and "(no attempts yet)" in text
    assert "Current best model" not in text


@pytest.mark.parametrize(("part", "size"), [
    ("parent_code", 300_000), ("memory_text", 100_000), ("advice_text", 50_000),
])
def test_user_prompt_size_is_bounded(part: str, size: int) -> None:
    args = {"iteration": 1, "advice_text": "advice", "memory_text": "memory",
            "parent_code": PARENT, "parent_metrics": {"params": 1.0}}
    args[part] = "x = 1\n" * (size // 6)
    text = P.user_prompt(**args)
    assert len(text) < 20_000
    assert "characters cut" in text


def test_repair_prompt_quotes_the_trimmed_error() -> None:
    error = "Traceback (most recent call last):\n" + "  frame\n" * 100_000 + \
        "RuntimeError: mat1 and mat2 shapes cannot be multiplied (4x512 and 256x10)"
    text = P.repair_prompt(error)
    assert len(text) < P.MAX_ERROR_CHARS + 1_000
    assert text.count("Traceback (most recent call last)") == 1  # the head is kept
    assert "mat1 and mat2 shapes cannot be multiplied" in text  # and so is the end
    assert "complete model file" in text and "class Net(nn.Module)" in text


@pytest.mark.parametrize(("text", "limit", "tail", "expected"), [
    ("short", 10, False, "short"),
    ("abcdefghij", 4, False, "abcd\n[... 6 characters cut ...]"),
    ("abcdefghij", 4, True, "a\n[... 6 characters cut ...]\nhij"),
    ("", 0, False, ""),
])
def test_clip(text: str, limit: int, tail: bool, expected: str) -> None:
    assert P.clip(text, limit, keep_tail=tail) == expected


def test_system_prompt_size_is_bounded_and_does_not_grow_with_the_run() -> None:
    many = [Objective(metric=m, threshold=1.0, priority=1) for m in
            ("params", "flops", "latency_ms", "fps", "train_seconds", "model_size_bytes")]
    assert len(P.system_prompt(DIGITS, many)) < 5_000


def test_user_prompt_carries_the_improver_suggestion_and_no_test_metric() -> None:
    kw = dict(iteration=2, advice_text="Instructions:\n1. Add kernels by about 20%",
              memory_text="(memory)", objectives=OBJECTIVES,
              suggestion_text="Diagnosis: too narrow\nModification: widen conv1 to 24 channels")
    text = P.user_prompt(parent_code=PARENT, parent_metrics={
        "val_accuracy": 0.91, "params": 40_000.0, "test_accuracy": 0.8765}, **kw)
    assert "## Suggested modification (from the Prompt Improver" in text
    assert "Modification: widen conv1 to 24 channels" in text
    assert "Add kernels by about 20%" in text  # the expert's instructions as well
    assert "test_accuracy" not in text and "0.877" not in text and "0.8765" not in text
    first = P.user_prompt(**kw)
    assert "widen conv1 to 24 channels" in first and "No model exists yet" in first


def test_improver_prompts() -> None:
    system = P.improver_system_prompt(DIGITS, OBJECTIVES)
    assert "Prompt Improver" in system and '"diagnosis"' in system and "params" in system
    user = P.improver_user_prompt(iteration=3, advice_text="Diagnosis:\n- underfitting",
                                  memory_text="(memory)", parent_code=PARENT,
                                  parent_metrics={"val_accuracy": 0.9, "test_accuracy": 0.8765},
                                  objectives=OBJECTIVES)
    assert PARENT.strip() in user and "underfitting" in user and "(memory)" in user
    assert "val_accuracy=0.900" in user
    assert "test_accuracy" not in user and "0.877" not in user
    assert "No model exists yet" in P.improver_user_prompt(
        iteration=0, advice_text="a", memory_text="m")
