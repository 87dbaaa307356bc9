"""One candidate on a tiny synthetic dataset: the training worker's function (`train_candidate`)
on each failure path (static rejection, missing Net, wrong output shape, divergence, out of
memory), and the success path end to end through the sandbox (trained in the worker, measured
by the measurement process)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import torch

from lemonade.config import Config, DatasetConfig, build_config
from lemonade.data import Dataset, load_dataset
from lemonade.evaluate import TrainedCandidate, is_out_of_memory, train_candidate, untrained_cost
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


class Run:
    """What the training worker makes of a source: its result, and the cost of the untrained
    model it reports before training (None when no model was built)."""

    def __init__(self, source: str, data: Dataset) -> None:
        torch.set_num_threads(1)
        self.cost: dict[str, object] | None = None
        self.res: TrainedCandidate = train_candidate(
            source, data, tiny_config(), CPU, on_built=self._built)

    def _built(self, model: torch.nn.Module) -> None:
        self.cost = untrained_cost(model, 3, (8, 8))


def run(source: str, data: Dataset) -> Run:
    return Run(source, data)


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


@pytest.mark.slow  # trains one epoch in the sandbox and starts codecarbon
def test_example_cnn_trains_and_is_measured(tmp_path):
    from lemonade import metrics as M
    from lemonade.sandbox.artifacts import WEIGHTS_FILE
    from lemonade.sandbox.runner import run_candidate, training_job

    cfg = build_config({
        "dataset": {"name": "synthetic", "synthetic_shape": [3, 8, 8], "synthetic_size": 64,
                    "synthetic_classes": CLASSES},
        "budget": {"epochs": 1, "candidate_timeout_s": 300}, "train": {"batch_size": 16},
        "measure": {"latency_warmup": 1, "latency_repeats": 3, "fps_batch_size": 4,
                    "energy": True},
        "sandbox": {"memory_limit_mb": 4096}, "device": "cpu", "seed": 3})
    out = run_candidate(training_job(cfg, (EXAMPLES / "small_cnn.py").read_text(),
                                     workdir=tmp_path / "job", want_weights=True))
    assert out.status == "ok", (out.reason, out.log_tail)
    assert set(out.metrics) == set(METRICS)
    for name in ("params", "flops", "latency_ms", "fps", "train_seconds", "val_accuracy",
                 "test_accuracy", "peak_memory_bytes", "model_size_bytes"):
        assert out.metrics[name].value is not None, (name, out.metrics[name].unavailable)
    energy = out.metrics["train_energy_kwh"]
    assert (energy.value is not None and energy.value > 0) or energy.unavailable
    assert len(out.history) == 1
    assert out.weights_path is not None and out.weights_path.endswith(WEIGHTS_FILE)
    from safetensors.torch import load_file

    assert all(t.device.type == "cpu" for t in load_file(out.weights_path).values())
    doc = json.loads(json.dumps({"status": out.status, "metrics": M.to_json(out.metrics)}))
    assert doc["status"] == "ok" and doc["metrics"]["params"]["value"] > 0
    assert "state_dict" not in doc


def test_same_seed_gives_the_same_weights(data):
    source = (EXAMPLES / "digits_mlp.py").read_text()
    a, b = run(source, data).res, run(source, data).res
    assert a.status == b.status == "ok"
    assert a.model is not None and b.model is not None
    sa, sb = a.model.state_dict(), b.model.state_dict()
    assert sa.keys() == sb.keys()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)


def test_wrong_output_shape_fails_before_training_with_both_shapes(data):
    res = run(WRONG_SHAPE, data).res
    assert res.status == "failed"
    assert res.train is None and res.model is None  # no history, no weights
    reason = res.reason.lower()
    assert "expected" in reason
    assert re.search(rf"\b2,\s*{CLASSES}\b", reason)  # expected (2, num_classes)
    assert re.search(rf"\b2,\s*{CLASSES + 1}\b", reason)  # got


def test_nan_producing_model_fails_as_diverged_but_reported_its_cost(data):
    r = run(NAN_IN_TRAINING, data)
    assert r.res.status == "failed"
    assert "diverged" in r.res.reason
    assert r.cost is not None  # reported before training, what the host's clock reads
    assert r.cost["params"] == 3 * 8 * 8 * CLASSES + CLASSES
    assert r.cost["flops"] is not None
    assert r.res.model is None  # nothing to measure: no accuracy, no weights


def test_out_of_memory_in_training_is_a_failed_result(data):
    r = run(OOM_IN_TRAINING, data)
    assert r.res.status == "failed"
    assert r.res.reason.startswith("out of memory")
    assert r.cost is not None and r.cost["params"] == 3 * 8 * 8 * CLASSES + CLASSES


@pytest.mark.parametrize(("source", "pattern"), [
    (NO_NET, r"\bNet\b"),
    (FORBIDDEN_IMPORT, r"\bos\b"),
    ("def broken(:\n", r"line 1"),
])
def test_statically_bad_sources_fail_with_reasons(data, source, pattern):
    r = run(source, data)
    assert r.res.status == "failed"
    assert re.search(pattern, r.res.reason), r.res.reason
    assert r.res.train is None and r.cost is None  # no history, nothing measured


def test_unreadable_file_is_a_failed_result(tmp_path):
    from lemonade.sandbox.check import read_model_file

    with pytest.raises(ValueError, match="cannot read"):
        read_model_file(tmp_path / "missing.py")


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
