"""Costs forged from the exported graph, each against an honest twin that must be measured the
same, or refused: operators without a FLOP formula, weights written into the graph as numbers,
normalisation statistics that are weights, data-dependent shapes and shape expressions, and
logits that depend on the batch only at the real evaluation batch sizes.

Models are exported exactly as the training worker does and measured by the measurement
process's own function (`measure_job.measure`); the static check would reject several of
them, and the measurement must hold when it lets one through.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch
from test_forging import FAST, MEAN, STD, C, H, Honest, K, W, eval_split, trusted
from torch import nn
from torch.nn import functional as F

from lemonade.sandbox.artifacts import check_graph_json, export_program, save_program
from lemonade.sandbox.measure_job import measure

__all__ = ["eval_split"]  # the fixture, shared with test_forging
D = C * H * W
P = 2  # Pooled's feature map is P x P
torch.set_num_threads(1)


class Pooled(nn.Module):
    """A small honest model (few weights, so the forgeries' graphs stay small)."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(C * P * P, K)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return F.adaptive_avg_pool2d(x, P).flatten(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.fc(self.features(x))
        return out


def measure_doc(doc: dict[str, Any], art: Path, split: dict[str, Any]) -> dict[str, Any]:
    (art / "graph.json").write_text(json.dumps(doc))
    return measure({"artifacts": str(art), "eval_split": str(split["path"]),
                    "eval_sha256": split["sha"], "measure": FAST, "device": "cpu"})


def exported(model: nn.Module, art: Path) -> dict[str, Any]:
    save_program(export_program(model.eval(), torch.randn(2, C, H, W)), art)
    doc: dict[str, Any] = json.loads((art / "graph.json").read_text())
    return doc


# -- operators without a formula ---------------------------------------------------------------

B = 16  # Bilinear's features: 4 x 4 pooled


class Bilinear(nn.Module):
    """nn.Bilinear: one `aten._trilinear` call, which torch's flop counter has no formula for."""

    def __init__(self) -> None:
        super().__init__()
        self.bl = nn.Bilinear(B, B, K)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f = F.adaptive_avg_pool2d(x, 4).flatten(1)
        return self.bl(f, f)


class BilinearTwin(Bilinear):
    """The same arithmetic as an einsum, which becomes matmuls."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f = F.adaptive_avg_pool2d(x, 4).flatten(1)
        return torch.einsum("bi,oij,bj->bo", f, self.bl.weight, f) + self.bl.bias


def test_bilinear_costs_what_its_einsum_twin_costs(eval_split: dict[str, Any],
                                                    tmp_path: Path) -> None:
    torch.manual_seed(0)
    cheat = Bilinear()
    twin = BilinearTwin()
    twin.load_state_dict(cheat.state_dict())
    out, ref = trusted(cheat, eval_split, tmp_path), trusted(twin, eval_split, tmp_path)
    assert out["status"] == ref["status"] == "ok", (out, ref)
    assert ref["values"]["flops"] >= 2 * K * B * B
    # the einsum does one more small matmul (the second contraction): within 1/B
    assert out["values"]["flops"] == pytest.approx(ref["values"]["flops"], rel=0.1)
    assert out["values"]["val_accuracy"] == ref["values"]["val_accuracy"]


class Spectral(Honest):
    """An FFT (no formula in lemonade): refused, never charged a guess."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(D // 2 + 1, K)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(torch.fft.rfft(x.flatten(1)).abs())


def test_an_operator_without_a_flop_formula_is_refused(eval_split: dict[str, Any],
                                                       tmp_path: Path) -> None:
    out = trusted(Spectral(), eval_split, tmp_path)
    assert out["status"] == "failed"
    assert "no FLOP formula" in out["reason"] or "export" in out["reason"], out["reason"]


# -- weights written into the graph ------------------------------------------------------------

class Literals(Pooled):
    """Trains as a Linear; `freeze` turns its weights into Python numbers, which the export
    writes into the graph: as scalar operands (`form="scalar"`) or `aten.full` fills."""

    def freeze(self, form: str) -> Literals:
        fc = self._modules.pop("fc")
        self.__dict__["w"] = fc.weight.detach().tolist()
        self.__dict__["b"] = fc.bias.detach().tolist()
        self.__dict__["form"] = form
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if "w" not in self.__dict__:
            return super().forward(x)
        f = self.features(x)
        n = C * P * P
        w, b = self.__dict__["w"], self.__dict__["b"]
        if self.__dict__["form"] == "full":
            weight = torch.cat([torch.full((1,), v) for row in w for v in row]).view(K, n)
            bias = torch.cat([torch.full((1,), v) for v in b])
            return f @ weight.t() + bias
        cols = []
        for k in range(K):
            acc = f[:, 0] * w[k][0] + b[k]
            for j in range(1, n):
                acc = acc + f[:, j] * w[k][j]
            cols.append(acc)
        return torch.stack(cols, 1)


@pytest.mark.parametrize("form", ["scalar", "full"])
def test_weights_as_graph_literals_are_counted(form: str, eval_split: dict[str, Any],
                                               tmp_path: Path) -> None:
    torch.manual_seed(0)
    twin = Pooled()
    cheat = Literals()
    cheat.load_state_dict(twin.state_dict())
    cheat.freeze(form)
    n = K * C * P * P + K
    out, ref = trusted(cheat, eval_split, tmp_path), trusted(twin, eval_split, tmp_path)
    assert out["status"] == "ok", out
    assert out["values"]["val_accuracy"] == ref["values"]["val_accuracy"]
    assert ref["values"]["params"] == n
    assert out["values"]["params"] >= n  # every number counts
    assert out["methods"]["params"]["literals"] >= n
    assert out["values"]["model_size_bytes"] >= 4 * n


# -- params as the field counts them -----------------------------------------------------------

class ConvBN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Conv2d(C, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                                 nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * H * W // 4, K))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.net(x)
        return out


def test_a_cnn_with_batchnorm_counts_its_parameters_only(eval_split: dict[str, Any],
                                                         tmp_path: Path) -> None:
    model = ConvBN()
    out = trusted(model, eval_split, tmp_path)
    assert out["status"] == "ok", out
    assert out["values"]["params"] == sum(p.numel() for p in model.parameters())
    method = out["methods"]["params"]
    assert method["not_counted"] == {"normalisation_statistics": 8, "unused_state": 1}
    assert "running statistics" in method["counted"]


class StatsAsWeights(nn.Module):
    """Weights in a BatchNorm without affine parameters: its 'running statistics' are a learned
    per-feature shift and scale."""

    def __init__(self) -> None:
        super().__init__()
        self.bn = nn.BatchNorm1d(D, affine=False)
        self.fc = nn.Linear(D, K)
        with torch.no_grad():
            self.bn.running_mean.normal_()
            self.bn.running_var.uniform_(0.5, 2.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.bn(x.flatten(1)))


class NamedRunningMean(Honest):
    """A weight matrix registered under a statistic's name, used as a weight."""

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("running_mean", torch.randn(K, D))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x) + x.flatten(1) @ self.running_mean.t()


def test_statistics_that_are_weights_are_counted(eval_split: dict[str, Any],
                                                 tmp_path: Path) -> None:
    out = trusted(StatsAsWeights(), eval_split, tmp_path)
    assert out["status"] == "ok", out
    assert out["values"]["params"] == K * D + K + 2 * D  # no affine pair frees them
    out = trusted(NamedRunningMean(), eval_split, tmp_path)
    assert out["values"]["params"] == 2 * K * D + K  # the name frees nothing


# -- logits that depend on the batch only at the real evaluation batch sizes --------------------

class PositionLeak(Honest):
    """Honest up to batch 8; beyond, adds a table indexed by the image's position in the batch:
    the labels of the evaluation order, so val accuracy is 1.0 at the evaluation batch."""

    def __init__(self, labels: torch.Tensor) -> None:
        super().__init__()
        self.register_buffer("table", 20 * F.one_hot(labels, K).float())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logits = super().forward(x)
        pos = torch.arange(x.shape[0], device=x.device)
        big = (pos.sum() > 28).float()  # batch > 8
        return logits + big * self.table[pos % self.table.shape[0]]


def test_a_position_leak_beyond_batch_eight_is_refused(eval_split: dict[str, Any],
                                                       tmp_path: Path) -> None:
    from lemonade.train import evaluate_accuracy

    torch.manual_seed(0)
    cheat = PositionLeak(eval_split["y"]).eval()
    x, y = eval_split["x"], eval_split["y"]
    assert evaluate_accuracy(cheat, x, y, MEAN, STD, torch.device("cpu")) == 1.0  # it forges
    with torch.no_grad():  # and is honest at the 8 images the old check used
        xs = (x[:8].float() / 255 - MEAN[0]) / STD[0]
        assert torch.allclose(cheat(xs), torch.cat([cheat(xs[i:i + 1]) for i in range(8)]))
    out = trusted(cheat, eval_split, tmp_path)
    assert out["status"] == "failed" and "other images in its batch" in out["reason"], out


# -- data-dependent shapes and shape expressions -----------------------------------------------

def test_shape_expressions_are_bounded_before_sympy(tmp_path: Path) -> None:
    doc = exported(Honest(), tmp_path / "art")
    assert check_graph_json(doc) == []
    text = json.dumps(doc)
    sym = next(iter(doc["range_constraints"]))
    for bad in (f"Symbol('{sym}', positive=True, integer=True)**(9**9**9)",
                f"Pow(Symbol('{sym}'), Integer(999999999))",
                f"Symbol('{sym}')*Symbol('{sym}')*Symbol('{sym}')*Symbol('{sym}')*Symbol('{sym}')",
                "Integer(" + "9" * 30 + ")",
                "Symbol('u0', integer=True)",
                f"Symbol('{sym}').__class__"):
        tampered = json.loads(text.replace(
            f"Symbol('{sym}', positive=True, integer=True)", bad.replace("'", "\\u0027")))
        problems = check_graph_json(tampered)
        assert any("symbolic shape expression" in p for p in problems), (bad, problems)


class MaskedRows(Honest):
    """A heavy layer run only on the rows that look like real images (data-dependent size)."""

    def __init__(self) -> None:
        super().__init__()
        self.big = nn.Linear(D, D)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f = x.flatten(1)
        idx = (f.std(1) > 0.5).nonzero()[:, 0]
        heavy = self.big(f.index_select(0, idx)).sum()
        return self.fc(f) + 0 * heavy


def test_data_dependent_shapes_are_refused_even_without_their_asserts(
        eval_split: dict[str, Any], tmp_path: Path) -> None:
    art = tmp_path / "art"
    try:
        doc = exported(MaskedRows(), art)
    except Exception as e:  # the exporter refusing it is a refusal too
        pytest.skip(f"torch.export refuses the model here: {e}")
    out = measure_doc(doc, art, eval_split)
    assert out["status"] == "failed", out
    nodes = doc["graph_module"]["graph"]["nodes"]
    # the forger's version: the runtime asserts (and the Python ops feeding them) removed
    doc["graph_module"]["graph"]["nodes"] = [
        n for n in nodes if not (n["target"].startswith("_operator.")
                                 or "_assert" in n["target"] or "sym_constrain" in n["target"])]
    out = measure_doc(doc, art, eval_split)
    assert out["status"] == "failed", out
    assert "data" in out["reason"], out["reason"]


def test_a_node_whose_shape_differs_from_the_declared_one_is_refused(
        eval_split: dict[str, Any], tmp_path: Path) -> None:
    art = tmp_path / "art"
    doc = exported(Honest(), art)
    values = doc["graph_module"]["graph"]["tensor_values"]
    out_name = doc["graph_module"]["signature"]["output_specs"][0]["user_output"]["arg"][
        "as_tensor"]["name"]
    assert values[out_name]["sizes"][-1] == {"as_int": K}
    values[out_name]["sizes"][-1] = {"as_int": K + 1}  # declared: K + 1 logits
    out = measure_doc(doc, art, eval_split)
    assert out["status"] == "failed" and "declares" in out["reason"], out


def test_flops_and_latency_are_measured_on_real_images(eval_split: dict[str, Any],
                                                       tmp_path: Path) -> None:
    out = trusted(Honest(), eval_split, tmp_path)
    assert out["status"] == "ok", out
    flops = out["methods"]["flops"]
    assert "real" in flops["inputs"] and {1, 4, 32} <= {int(b) for b in flops["batch_sizes"]}
    assert "real" in out["methods"]["latency_ms"]["inputs"]
    assert out["values"]["flops"] == pytest.approx(2 * K * D + K, rel=0.01)


BN_FILE = """import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.register_buffer("hidden", torch.zeros(num_classes, 4))
        self.fc = nn.Linear(4, num_classes)

    def forward(self, x):
        h = torch.relu(self.bn(self.conv(x))).mean((2, 3))
        return self.fc(h) + h @ self.hidden.t()
"""


TIED_FILE = """import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, 4, 3, padding=1)
        self.mix = nn.Linear(4, 4)
        self.again = self.mix  # the same layer under a second name: its weights are tied
        self.fc = nn.Linear(4, num_classes)

    def forward(self, x):
        h = self.conv(x).mean((2, 3))
        return self.fc(self.again(torch.relu(self.mix(h))))
"""


# the BatchNorm statistics are not counted, the weights kept in a buffer are; a tied layer's
# weights count once, as model.parameters() lists them
@pytest.mark.parametrize(("source", "in_buffers"), [(BN_FILE, K * 4), (TIED_FILE, 0)],
                         ids=["batchnorm", "tied"])
def test_check_and_evaluate_count_params_alike(source: str, in_buffers: int,
                                               eval_split: dict[str, Any],
                                               tmp_path: Path) -> None:
    from lemonade.modelfile import build_net
    from lemonade.sandbox.check import check_file

    path = tmp_path / "model.py"
    path.write_text(source)
    rep = check_file(path, in_channels=C, image_size=H, num_classes=K, timeout_s=120)
    assert rep.ok, rep
    model = build_net(source, in_channels=C, num_classes=K)
    learnable = sum(p.numel() for p in model.parameters())
    out = trusted(model, eval_split, tmp_path)
    assert rep.params == out["values"]["params"] == learnable + in_buffers


# -- tied tensors: stored once, counted once, and a forged tie map hides nothing ----------------

class Scaled(nn.Module):
    """A BatchNorm and a per-feature scale kept in a buffer stored after its statistics."""

    def __init__(self) -> None:
        super().__init__()
        self.bn = nn.BatchNorm1d(D)
        self.post = nn.Module()  # a child after bn: its buffer is stored after the statistics
        self.post.register_buffer("s", torch.randn(D))
        self.fc = nn.Linear(D, K)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.bn(x.flatten(1)) * self.post.s)


class TwoNorms(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.bn1, self.bn2 = nn.BatchNorm1d(D), nn.BatchNorm1d(D)
        self.fc = nn.Linear(D, K)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.bn2(torch.relu(self.bn1(x.flatten(1)))))


def forge_ties(art: Path, ties: dict[str, str], drop: bool = True) -> None:
    """Rewrite the artifact's weights file with the tie map `ties` (the tied names dropped)."""
    from safetensors.torch import load_file, save_file

    from lemonade.sandbox.artifacts import ALIASES

    path = art / "weights.safetensors"
    tensors = {k: v for k, v in load_file(str(path)).items() if not (drop and k in ties)}
    save_file(tensors, str(path), metadata={ALIASES: json.dumps(ties)})


@pytest.mark.parametrize(("model", "ties"), [
    # a weight tied to a BatchNorm statistic (it reads the statistic's numbers as a weight)
    (Scaled(), {"state.post.s": "state.bn.running_mean"}),
    # one affine pair tied into a second BatchNorm, to free its statistics too
    (TwoNorms(), {"param.bn2.weight": "param.bn1.weight", "param.bn2.bias": "param.bn1.bias"}),
], ids=["weight-as-statistic", "one-affine-pair-twice"])
def test_a_forged_tie_hides_no_weight(model: nn.Module, ties: dict[str, str],
                                      eval_split: dict[str, Any], tmp_path: Path) -> None:
    honest = trusted(model, eval_split, tmp_path)
    assert honest["status"] == "ok", honest
    art = tmp_path / "forged"
    doc = exported(model, art)
    forge_ties(art, ties)
    out = measure_doc(doc, art, eval_split)
    assert out["status"] == "ok", out
    # every number the graph reads as a weight is counted: as many as the untied model's
    assert out["metrics"]["params"]["value"] == honest["values"]["params"]


@pytest.mark.parametrize(("ties", "drop"), [
    ({"param.fc.weight": "param.nowhere"}, True),  # tied to a tensor the file does not hold
    ({"param.fc.weight": "param.fc.bias"}, False),  # a tied name the file holds as well
    ({"evil.x": "param.fc.bias"}, True),  # a name of no known kind
    ({"param.fc.weight": 3}, True),
], ids=["missing-target", "held-twice", "unknown-kind", "not-a-name"])
def test_a_malformed_tie_map_is_refused(ties: dict[str, Any], drop: bool,
                                        eval_split: dict[str, Any], tmp_path: Path) -> None:
    art = tmp_path / "art"
    doc = exported(Pooled(), art)
    forge_ties(art, ties, drop)
    out = measure_doc(doc, art, eval_split)
    assert out["status"] != "ok" and "tied-tensor map" in str(out.get("reason")), out


def test_a_tied_weight_is_stored_once(tmp_path: Path) -> None:
    from safetensors.torch import load_file

    lin = nn.Linear(D, D)
    art = tmp_path / "art"
    exported(nn.Sequential(nn.Flatten(), lin, nn.ReLU(), lin, nn.Linear(D, K)), art)
    stored = load_file(str(art / "weights.safetensors"))
    assert sorted(stored) == ["param.1.bias", "param.1.weight", "param.4.bias",
                              "param.4.weight"]


class SizeLiterals(Pooled):
    """Numbers carried by sizes: `ones.expand(-1, n).sum(1)` is the number n, in no stored
    tensor and in no scalar argument."""

    def freeze(self) -> SizeLiterals:
        self.__dict__["b"] = [round(100 * v) + 200 for v in self.fc.bias.tolist()]
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.fc(self.features(x))
        if "b" not in self.__dict__:
            return out
        one = torch.ones_like(out[:, :1])
        return out + torch.cat([one.expand(-1, n).sum(1, keepdim=True) for n in
                                self.__dict__["b"]], 1)


def test_numbers_carried_by_sizes_are_counted(eval_split: dict[str, Any],
                                              tmp_path: Path) -> None:
    model = SizeLiterals()
    ref = trusted(model, eval_split, tmp_path)
    out = trusted(model.freeze(), eval_split, tmp_path)
    assert out["status"] == "ok", out
    assert out["methods"]["params"]["literals_by_op"].get("expand", 0) >= K
    assert out["values"]["params"] >= ref["values"]["params"] + K
