"""One candidate end to end on a tiny synthetic dataset: the success path and each failure path
(static rejection, missing Net, wrong output shape, divergence, out of memory)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import torch

from lemonade.config import Config, DatasetConfig, build_config
from lemonade.data import Dataset, load_dataset
from lemonade.evaluate import EvalResult, evaluate_file, evaluate_source, is_out_of_memory
from lemonade.metrics import METRICS

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "models"
CPU = torch.device("cpu")
CLASSES = 4


@pytest.fixture(scope="module")
def data() -> Dataset:
    return load_dataset(DatasetConfig(name="synthetic", synthetic_shape=(3, 8, 8),
                                      synthetic_size=64, synthetic_classes=CLASSES), seed=0)


def tiny_config(energy: bool = False) -> Config:
    return build_config({
        "dataset": {"name": "synthetic"},
        "budget": {"epochs": 1},
        "train": {"batch_size": 16},
        "measure": {"latency_warmup": 1, "latency_repeats": 3, "fps_batch_size": 4,
                    "energy": energy},
        "seed": 3,
    })


def run(source: str, data: Dataset, energy: bool = False) -> EvalResult:
    torch.set_num_threads(1)
    return evaluate_source(source, data, tiny_config(energy), CPU)


# A head whose width ignores num_classes: the dry run must catch it before training.
WRONG_SHAPE = """
import torch.nn as nn

class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels * 8 * 8, num_classes + 1)

    def forward(self, x):
        return self.fc(x.flatten(1))
"""

# Finite on the dry run's batch of 2, NaN on every training batch (16): diverges at once.
NAN_IN_TRAINING = """
import math
import torch.nn as nn

class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels * 8 * 8, num_classes)

    def forward(self, x):
        out = self.fc(x.flatten(1))
        return out * math.nan if x.shape[0] > 2 else out
"""

OOM_IN_TRAINING = """
import torch.nn as nn

class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels * 8 * 8, num_classes)

    def forward(self, x):
        if x.shape[0] > 2:
            # torch's own message for a CUDA OOM (older torch raises it as a RuntimeError)
            raise RuntimeError("CUDA out of memory. Tried to allocate 20.00 GiB")
        return self.fc(x.flatten(1))
"""

NO_NET = """
import torch.nn as nn

class Model(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(3, num_classes)

    def forward(self, x):
        return self.fc(x)
"""

FORBIDDEN_IMPORT = "import os\n" + WRONG_SHAPE


@pytest.mark.slow  # trains one epoch and starts codecarbon (~3-4 s)
def test_example_cnn_trains_and_is_measured(data):
    res = evaluate_file(EXAMPLES / "small_cnn.py", data, tiny_config(energy=True), CPU)
    assert res.status == "ok", res.reason
    assert set(res.metrics) == set(METRICS)
    for name in ("params", "flops", "latency_ms", "fps", "train_seconds", "val_accuracy",
                 "test_accuracy", "peak_memory_bytes", "model_size_bytes"):
        assert res.metrics[name].value is not None, (name, res.metrics[name].unavailable)
    energy = res.metrics["train_energy_kwh"]
    assert (energy.value is not None and energy.value > 0) or energy.unavailable
    assert len(res.history) == 1
    assert res.state_dict is not None
    assert all(t.device.type == "cpu" for t in res.state_dict.values())
    doc = json.loads(json.dumps(res.to_json()))
    assert doc["status"] == "ok" and doc["metrics"]["params"]["value"] > 0
    assert "state_dict" not in doc


def test_same_seed_gives_the_same_weights(data):
    source = (EXAMPLES / "digits_mlp.py").read_text()
    a, b = run(source, data), run(source, data)
    assert a.status == b.status == "ok"
    assert a.state_dict.keys() == b.state_dict.keys()
    assert all(torch.equal(a.state_dict[k], b.state_dict[k]) for k in a.state_dict)


def test_wrong_output_shape_fails_before_training_with_both_shapes(data):
    res = run(WRONG_SHAPE, data)
    assert res.status == "failed"
    assert res.history == [] and res.state_dict is None
    reason = res.reason.lower()
    assert "expected" in reason
    assert re.search(rf"\b2,\s*{CLASSES}\b", reason)  # expected (2, num_classes)
    assert re.search(rf"\b2,\s*{CLASSES + 1}\b", reason)  # got


def test_nan_producing_model_fails_as_diverged_but_keeps_static_metrics(data):
    res = run(NAN_IN_TRAINING, data)
    assert res.status == "failed"
    assert "diverged" in res.reason
    assert res.metrics["params"].value == 3 * 8 * 8 * CLASSES + CLASSES
    assert res.metrics["flops"].value is not None
    assert res.metrics["test_accuracy"].value is None
    assert res.state_dict is None


def test_out_of_memory_in_training_is_a_failed_result(data):
    res = run(OOM_IN_TRAINING, data)
    assert res.status == "failed"
    assert res.reason.startswith("out of memory")
    assert res.metrics["params"].value == 3 * 8 * 8 * CLASSES + CLASSES


@pytest.mark.parametrize(("source", "pattern"), [
    (NO_NET, r"\bNet\b"),
    (FORBIDDEN_IMPORT, r"\bos\b"),
    ("def broken(:\n", r"line 1"),
])
def test_statically_bad_sources_fail_with_reasons(data, source, pattern):
    res = run(source, data)
    assert res.status == "failed"
    assert re.search(pattern, res.reason), res.reason
    assert res.history == [] and res.metrics == {}


def test_unreadable_file_is_a_failed_result(data, tmp_path):
    res = evaluate_file(tmp_path / "missing.py", data, tiny_config(), CPU)
    assert res.status == "failed" and "cannot read" in res.reason


@pytest.mark.parametrize(("exc", "oom"), [
    (MemoryError(), True),
    (torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2 GiB"), True),
    (RuntimeError("CUDA out of memory. Tried to allocate 2 GiB"), True),
    (RuntimeError("[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't "
                  "allocate memory: you tried to allocate 10000000000000 bytes. Error code 12 "
                  "(Cannot allocate memory)"), True),
    (RuntimeError("mat1 and mat2 shapes cannot be multiplied"), False),
    (ValueError("out of memory"), False),
])
def test_is_out_of_memory(exc, oom):
    assert is_out_of_memory(exc) is oom
