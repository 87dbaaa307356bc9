"""Forged and under-counted metrics: each test shows the forged figure is refused, or measured
honestly against an honest twin, by the trusted measurement (the exported graph and its stored
tensors, measured in code the candidate cannot touch).

Most forging models here are built by the test and exported exactly as the training worker does
(`export_program` + `save_program`), then measured by `measure_job.measure`: the static checker
would reject several of them, and the measurement must hold even when it lets one through.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import nn

from lemonade.config import SandboxConfig, build_config
from lemonade.modelfile import count_params
from lemonade.sandbox.artifacts import ArtifactError, export_program, save_program, write_split
from lemonade.sandbox.measure_job import measure
from lemonade.sandbox.resource import Sandbox
from lemonade.sandbox.runner import run_candidate, training_job
from lemonade.train import evaluate_accuracy

torch.set_num_threads(1)
C, H, W, K = 1, 8, 8, 4
MEAN, STD = (0.5,), (0.25,)
FAST = {"latency_warmup": 0, "latency_repeats": 2, "fps_batch_size": 4, "energy": False,
        "inference_energy": False}


def in_job_dir(script: Path, job_dir: Path) -> list[str]:
    """A stand-in worker command; the script is copied into the job folder, the one folder of
    the host the (possibly isolated) worker can see."""
    shutil.copy(script, Path(job_dir) / script.name)
    return [sys.executable, str(Path(job_dir) / script.name), str(job_dir)]


@pytest.fixture(scope="module")
def eval_split(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 256, (64, C, H, W), dtype=torch.uint8, generator=g)
    y = torch.randint(0, K, (64,), generator=g)
    path = tmp_path_factory.mktemp("split") / "eval.safetensors"
    sha = write_split(path, {"x_val": x[:32], "y_val": y[:32], "x_test": x[32:],
                             "y_test": y[32:]},
                      {"name": "t", "num_classes": K, "mean": list(MEAN), "std": list(STD)})
    return {"path": path, "sha": sha, "x": x[:32], "y": y[:32]}


def torch_flops(model: nn.Module) -> int:
    """torch's own FLOP counter on one image (batch 1, eval mode): counts matmul and
    convolution only."""
    from torch.utils.flop_counter import FlopCounterMode

    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model.eval()(torch.zeros(1, C, H, W))
    return int(counter.get_total_flops())


def trusted(model: nn.Module, split: dict[str, Any], tmp: Path) -> dict[str, Any]:
    """Export like the training worker, measure like the measurement process."""
    art = tmp / f"art{len(list(tmp.iterdir()))}"
    try:
        ep = export_program(model.eval(), torch.randn(2, C, H, W))
    except ArtifactError as e:  # the worker records the candidate as failed with this reason
        return {"status": "failed", "reason": str(e)}
    save_program(ep, art)
    out = measure({"artifacts": str(art), "eval_split": str(split["path"]),
                   "eval_sha256": split["sha"], "measure": FAST, "device": "cpu"})
    if out["status"] == "ok":
        out["values"] = {k: v["value"] for k, v in out["metrics"].items()}
        out["methods"] = {k: v["method"] for k, v in out["metrics"].items()}
    return out


class Honest(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(C * H * W, K)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(x.flatten(1))


# -- outputs that lie ------------------------------------------------------------------------

class AlwaysEqual(torch.Tensor):
    """A tensor whose comparisons are all True: `(out.argmax(1) == y).sum()` gives 100%."""

    @classmethod
    def __torch_function__(cls, func: Any, types: Any, args: Any = (), kwargs: Any = None
                           ) -> Any:
        out = super().__torch_function__(func, types, args, kwargs or {})
        if func in (torch.Tensor.__eq__, torch.eq):
            return torch.ones_like(torch.Tensor._make_subclass(torch.Tensor, out), dtype=bool)
        return out


class SubclassLiar(Honest):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x).as_subclass(AlwaysEqual)


def test_tensor_subclass_output_forges_in_process_but_not_in_the_trusted_measurement(
        eval_split: dict[str, Any], tmp_path: Path) -> None:
    torch.manual_seed(0)
    liar, twin = SubclassLiar(), Honest()
    twin.load_state_dict(liar.state_dict())
    x, y = eval_split["x"], eval_split["y"]
    cpu = torch.device("cpu")
    # the forgery works where the candidate's own objects are measured
    assert evaluate_accuracy(liar, x, y, MEAN, STD, cpu) == 1.0
    honest_acc = evaluate_accuracy(twin, x, y, MEAN, STD, cpu)
    assert honest_acc < 0.6
    out = trusted(liar, eval_split, tmp_path)
    if out["status"] == "ok":  # exported as plain ATen ops: the subclass is gone
        assert out["values"]["val_accuracy"] == pytest.approx(honest_acc)
    else:
        assert "refused" in out["reason"] or "export" in out["reason"]


# -- under-counting --------------------------------------------------------------------------

class BufferWeights(nn.Module):
    """Weights as a buffer and a plain tensor attribute, updated by hand: 'params 1'."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(torch.ones(1))
        self.register_buffer("w", torch.randn(K, C * H * W))
        self.b = torch.zeros(K)  # a plain attribute: neither parameter nor buffer

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.scale * (x.flatten(1) @ self.w.t()) + self.b


def test_weights_in_buffers_and_plain_tensors_are_counted(eval_split: dict[str, Any],
                                                          tmp_path: Path) -> None:
    model = BufferWeights()
    assert count_params(model) == 1  # what the module's own bookkeeping claims
    out = trusted(model, eval_split, tmp_path)
    assert out["status"] == "ok", out
    assert out["values"]["params"] == 1 + K * C * H * W + K
    assert out["methods"]["params"]["constants"] == K  # the plain tensor, lifted by the export


class HidesAfterTraining(Honest):
    def hide(self) -> None:
        """Move the trained weights out of the registered parameters, into a plain attribute."""
        lin = self._modules.pop("fc")
        self.__dict__["hidden"] = lin
        lin.__dict__["w"] = lin._parameters.pop("weight").detach()
        lin.__dict__["b"] = lin._parameters.pop("bias").detach()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if "hidden" in self.__dict__:
            h = self.__dict__["hidden"]
            return x.flatten(1) @ h.__dict__["w"].t() + h.__dict__["b"]
        return super().forward(x)


def test_parameters_hidden_after_training_are_counted(eval_split: dict[str, Any],
                                                      tmp_path: Path) -> None:
    model, twin = HidesAfterTraining(), Honest()
    model.hide()
    assert count_params(model) == 0
    out, ref = trusted(model, eval_split, tmp_path), trusted(twin, eval_split, tmp_path)
    assert out["values"]["params"] == ref["values"]["params"] == K * C * H * W + K


class BatchOneShortcut(Honest):
    """Cheap at batch 1 (where latency and FLOPs used to be measured), the real net otherwise."""

    def __init__(self) -> None:
        super().__init__()
        self.big = nn.Linear(C * H * W, C * H * W)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[0] == 1:
            return self.fc(x.flatten(1))
        return self.fc(torch.relu(self.big(x.flatten(1))))


class BigTwin(BatchOneShortcut):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(torch.relu(self.big(x.flatten(1))))


def test_batch_one_branch_is_measured_on_the_general_graph(eval_split: dict[str, Any],
                                                          tmp_path: Path) -> None:
    cheat, twin = BatchOneShortcut(), BigTwin()
    assert torch_flops(cheat) < torch_flops(twin) / 10  # at batch 1
    out, ref = trusted(cheat, eval_split, tmp_path), trusted(twin, eval_split, tmp_path)
    assert out["status"] == "ok", out
    assert out["values"]["flops"] == ref["values"]["flops"]
    # every batch size measured: 1, the FPS batch, the evaluation batch (the 32 images)
    assert out["methods"]["flops"]["batch_sizes"] == [1, 4, 32]
    assert out["methods"]["flops"]["graph_varies_with_batch"] is False


class InferenceShortcut(BigTwin):
    """Small when gradients are off (how validation and measurement run), big in training."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not torch.is_grad_enabled():
            return self.fc(x.flatten(1))
        return super().forward(x)


class SmallTwin(BigTwin):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(x.flatten(1))


def test_inference_only_branch_is_the_graph_measured_for_accuracy_and_cost(
        eval_split: dict[str, Any], tmp_path: Path) -> None:
    torch.manual_seed(1)
    cheat = InferenceShortcut()
    twin = SmallTwin()
    twin.load_state_dict(cheat.state_dict())
    out, ref = trusted(cheat, eval_split, tmp_path), trusted(twin, eval_split, tmp_path)
    # accuracy and FLOPs come from the same graph: the small one, for both figures
    assert out["values"]["flops"] == ref["values"]["flops"]
    assert out["values"]["val_accuracy"] == ref["values"]["val_accuracy"]
    assert out["values"]["params"] == ref["values"]["params"]  # the unused layer still counts


class CrossBatch(Honest):
    """Uses the other images of the batch: accuracy would depend on how test images are grouped."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x - x.mean(0, keepdim=True))


def test_outputs_that_depend_on_the_rest_of_the_batch_are_refused(
        eval_split: dict[str, Any], tmp_path: Path) -> None:
    out = trusted(CrossBatch(), eval_split, tmp_path)
    assert out["status"] == "failed" and "other images in its batch" in out["reason"]


class Elementwise(nn.Module):
    """A Linear layer written as broadcast multiply + sum: 0 FLOPs for FlopCounterMode."""

    def __init__(self) -> None:
        super().__init__()
        self.w = nn.Parameter(torch.randn(K, C * H * W))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x.flatten(1)[:, None, :] * self.w[None]).sum(-1)


class LinearTwin(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(C * H * W, K, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(x.flatten(1))


def test_elementwise_arithmetic_is_counted_like_its_linear_twin(eval_split: dict[str, Any],
                                                                tmp_path: Path) -> None:
    assert torch_flops(Elementwise()) == 0  # torch's own counter's blind spot
    out = trusted(Elementwise(), eval_split, tmp_path)
    ref = trusted(LinearTwin(), eval_split, tmp_path)
    assert out["values"]["flops"] == pytest.approx(ref["values"]["flops"], rel=0.01)
    assert ref["values"]["flops"] == 2 * K * C * H * W


def test_graph_with_file_io_is_refused_before_it_is_built(eval_split: dict[str, Any],
                                                          tmp_path: Path) -> None:
    ep = export_program(Honest().eval(), torch.randn(2, C, H, W))
    art = tmp_path / "art"
    save_program(ep, art)
    doc = json.loads((art / "graph.json").read_text())
    node = doc["graph_module"]["graph"]["nodes"][0]
    node["target"] = "torch.ops.aten.from_file.default"
    (art / "graph.json").write_text(json.dumps(doc))
    out = measure({"artifacts": str(art), "eval_split": str(eval_split["path"]),
                   "eval_sha256": eval_split["sha"], "measure": FAST, "device": "cpu"})
    assert out["status"] == "failed" and "from_file" in out["reason"]
    node["target"] = "builtins.eval"
    (art / "graph.json").write_text(json.dumps(doc))
    out = measure({"artifacts": str(art), "eval_split": str(eval_split["path"]),
                   "measure": FAST, "device": "cpu"})
    assert out["status"] == "failed" and "not an ATen" in out["reason"]


def test_python_in_a_shape_expression_is_refused_before_sympy_sees_it(
        eval_split: dict[str, Any], tmp_path: Path) -> None:
    ep = export_program(Honest().eval(), torch.randn(2, C, H, W))
    art = tmp_path / "art"
    save_program(ep, art)
    text = (art / "graph.json").read_text()
    assert "Symbol('s" in text  # the dynamic batch size is a symbolic expression
    canary = tmp_path / "fired"
    payload = f"__import__('pathlib').Path({str(canary)!r}).touch() or Symbol('s9')"
    (art / "graph.json").write_text(re.sub(r'"expr_str": "[^"]*"',
                                           lambda m: f'"expr_str": {json.dumps(payload)}', text))
    out = measure({"artifacts": str(art), "eval_split": str(eval_split["path"]),
                   "measure": FAST, "device": "cpu"})
    assert out["status"] == "failed" and "symbolic shape expression" in out["reason"]
    assert not canary.exists()


def test_a_changed_eval_split_is_refused(eval_split: dict[str, Any], tmp_path: Path) -> None:
    ep = export_program(Honest().eval(), torch.randn(2, C, H, W))
    save_program(ep, tmp_path / "art")
    out = measure({"artifacts": str(tmp_path / "art"), "eval_split": str(eval_split["path"]),
                   "eval_sha256": "0" * 64, "measure": FAST, "device": "cpu"})
    assert out["status"] == "failed" and "changed" in out["reason"]


# -- the worker's own reports: display only ------------------------------------------------------

CANDIDATE = """import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels * 64, num_classes)

    def eval(self):
        # extra work where the training loop's clock does not look (validation, dry run, export)
        w = torch.ones(200, 200)
        for _ in range(300):
            w = torch.tanh(w @ w)
        return super().eval()

    def forward(self, x):
        return self.fc(x.flatten(1))
"""

FORGER = """
import json, sys
from pathlib import Path
import lemonade.modelfile, lemonade.train, lemonade.evaluate
forged = lambda *a, **k: 1.0
lemonade.train.evaluate_accuracy = forged
lemonade.modelfile.count_params = lambda *a, **k: 1
from lemonade.sandbox import worker
rc = worker.main(["worker", sys.argv[1]])
doc = json.loads(Path(sys.argv[1], "result.json").read_text())
doc["metrics"] = {n: {"name": n, "value": v, "unit": "", "method": {}} for n, v in
                  {"val_accuracy": 1.0, "test_accuracy": 1.0, "params": 1, "flops": 1,
                   "train_seconds": 0.001, "latency_ms": 0.001}.items()}
Path(sys.argv[1], "result.json").write_text(json.dumps(doc))
print(json.dumps({"event": "result", "status": "ok", "metrics": doc["metrics"]}), flush=True)
sys.exit(rc)
"""


@pytest.mark.slow
def test_forged_result_events_and_patched_modules_change_nothing_that_ranks(
        tmp_path: Path) -> None:
    script = tmp_path / "forger.py"
    script.write_text(textwrap.dedent(FORGER))
    forger = Sandbox(worker_command=lambda job_dir: in_job_dir(script, job_dir))
    cfg = build_config({"dataset": {"name": "synthetic", "synthetic_shape": [1, 8, 8],
                                    "synthetic_size": 64, "synthetic_classes": K},
                        "budget": {"epochs": 1}, "device": "cpu", "measure": FAST})
    cfg = cfg.model_copy(update={"sandbox": SandboxConfig(memory_limit_mb=2048),
                                 "budget": cfg.budget.model_copy(
                                     update={"candidate_timeout_s": 180})})
    with forger:
        out = run_candidate(training_job(cfg, CANDIDATE, workdir=tmp_path / "job",
                                         want_weights=True), sandbox=forger)
    assert out.status == "ok", (out.reason, out.log_tail)
    m = out.metrics
    assert m["params"].value == 64 * K + K and m["params"].method["trusted"] is True
    assert m["val_accuracy"].value < 1.0 and m["test_accuracy"].value < 1.0
    assert m["flops"].value == 2 * 64 * K  # addmm: 2 per multiply-add
    # the time spent outside the training loop (the dry run and export) is in train_seconds
    loop = m["train_seconds"].method["worker_reported_loop_s"]
    assert m["train_seconds"].value > loop + 0.5
    assert m["train_seconds"].method["measured_by"].startswith("host")


PLAIN_LIST = """import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.layers = [nn.Linear(in_channels * 64, 32), nn.Linear(32, num_classes)]

    def forward(self, x):
        x = x.flatten(1)
        for layer in self.layers:
            x = layer(x)
        return x
"""


def test_layers_in_a_plain_list_are_refused_with_the_fix() -> None:
    from lemonade.data import Dataset
    from lemonade.evaluate import train_candidate

    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 256, (32, C, H, W), dtype=torch.uint8, generator=g)
    y = torch.randint(0, K, (32,), generator=g)
    data = Dataset("t", x, y, x[:0], y[:0], x[:0], y[:0], K, MEAN, STD)
    cfg = build_config({"budget": {"epochs": 1}, "device": "cpu"})
    res = train_candidate(PLAIN_LIST, data, cfg, torch.device("cpu"))
    assert res.status == "failed" and "nn.ModuleList" in res.reason and "layers" in res.reason
    fixed = PLAIN_LIST.replace("self.layers = [", "self.layers = nn.ModuleList([").replace(
        "num_classes)]", "num_classes)])")
    assert train_candidate(fixed, data, cfg, torch.device("cpu")).status == "ok"
