"""Honest attention models are measured, not refused: nn.MultiheadAttention,
nn.TransformerEncoderLayer and F.scaled_dot_product_attention export (the batch size's integer
arithmetic included) and every operator they export to has a FLOP formula; the count equals a
hand count of the same arithmetic."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from lemonade.measure.graph_flops import count_graph_flops
from lemonade.sandbox.artifacts import (
    GRAPH_FILE,
    ArtifactError,
    ProgramModule,
    check_graph_json,
    export_program,
    load_program,
    save_program,
)

torch.set_num_threads(1)
L, D, H, HD, FF, C = 8, 16, 2, 8, 32, 10  # tokens, width, heads, head width, feed-forward, classes


def _tokens(x: torch.Tensor) -> torch.Tensor:
    return x.reshape(x.shape[0], L, 8)  # an 8x8 image: 8 tokens of 8 pixels


class MHANet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.emb = nn.Linear(8, D)
        self.att = nn.MultiheadAttention(D, H, batch_first=True)
        self.fc = nn.Linear(D, C)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        t = self.emb(_tokens(x))
        y, _ = self.att(t, t, t)
        return self.fc(y.mean(1))


class EncoderNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.emb = nn.Linear(8, D)
        self.enc = nn.TransformerEncoderLayer(D, H, FF, batch_first=True)
        self.fc = nn.Linear(D, C)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.enc(self.emb(_tokens(x))).mean(1))


class SDPANet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.qkv = nn.Linear(8, 3 * D)
        self.fc = nn.Linear(D, C)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b = x.shape[0]
        q, k, v = self.qkv(_tokens(x)).reshape(b, L, 3, H, HD).permute(2, 0, 3, 1, 4).unbind(0)
        y = F.scaled_dot_product_attention(q, k, v)
        return self.fc(y.transpose(1, 2).reshape(b, L, D).mean(1))


def attention_math(b: int) -> int:
    """Scaled dot-product attention by hand: per score, 2 x HD (q.k), 1 (scale), 3 (softmax),
    2 x HD (weights x values)."""
    scores = b * H * L * L
    return scores * (2 * HD + 1 + 3 + 2 * HD)


def hand_count(name: str, b: int) -> dict[str, int]:
    """FLOPs per operator of each model at batch `b`, counted by hand (multiply-add = 2)."""
    emb = 2 * b * L * 8 * D
    fc = 2 * b * D * C
    tokens_mean = b * L * D
    if name == "mha":  # nn.MultiheadAttention exports its math as bmm, mul, softmax
        in_proj = 2 * b * L * D * 3 * D  # one bmm (q = k = v), then the bias add
        return {"aten.addmm": emb + 2 * b * L * D * D + fc,  # embedding, out_proj, classifier
                "aten.bmm": in_proj + 2 * (2 * b * H * L * L * HD),  # scores, weighted values
                "aten.add": b * L * 3 * D, "aten.mul": b * L * D,  # in_proj bias; q's scale
                "aten._softmax": 3 * b * H * L * L,
                "aten.mean": b * H * L * L + tokens_mean}  # head-averaged weights; pooling
    if name == "encoder":
        return {"aten.addmm": emb + 2 * b * L * D * D + 2 * (2 * b * L * D * FF) + fc,
                "aten.bmm": 2 * b * L * D * 3 * D,
                "aten.add": b * L * 3 * D + 2 * b * L * D,  # in_proj bias, two residuals
                "aten._scaled_dot_product_flash_attention_for_cpu": attention_math(b),
                "aten.native_layer_norm": 2 * 5 * b * L * D, "aten.relu": b * L * FF,
                "aten.mean": tokens_mean}
    return {"aten.addmm": 2 * b * L * 8 * 3 * D + fc,
            "aten._scaled_dot_product_flash_attention_for_cpu": attention_math(b),
            "aten.mean": tokens_mean}


NETS = {"mha": MHANet, "encoder": EncoderNet, "sdpa": SDPANet}


Program = Callable[[str, Path], ProgramModule]


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory) -> Program:
    """`program(name, folder)`: the net exported and saved into `folder`, loaded back. Each net
    is exported once for the module (an export costs seconds); every call copies the saved
    files into its own folder and loads them from there."""
    saved: dict[str, Path] = {}

    def get(name: str, folder: Path) -> ProgramModule:
        if name not in saved:
            saved[name] = tmp_path_factory.mktemp(f"exported-{name}")
            torch.manual_seed(0)
            save_program(export_program(NETS[name]().eval(), torch.zeros(2, 1, 8, 8)),
                         saved[name])
        shutil.copytree(saved[name], folder, dirs_exist_ok=True)
        return ProgramModule(load_program(folder)[0])

    return get


@pytest.mark.parametrize("name", sorted(NETS))
def test_attention_flops_equal_a_hand_count(name: str, tmp_path: Path, program: Program) -> None:
    prog = program(name, tmp_path)
    for b in (2, 5):  # batch 1 runs the in-projection as addmm, whose bias add torch leaves out
        counter = count_graph_flops(prog, torch.randn(b, 1, 8, 8))
        assert not counter.unknown, counter.unknown
        counted = {op: n for op, n in counter.by_op.items() if n}
        assert counted == hand_count(name, b), (b, counted)


def test_attention_models_are_measured_not_refused(tmp_path: Path, program: Program) -> None:
    """The trusted measurement's whole pass (accuracy, batch independence, FLOPs)."""
    from lemonade.config import MeasureConfig
    from lemonade.measure.program import measure_program

    gen = torch.Generator().manual_seed(0)
    x = torch.randint(0, 256, (24, 1, 8, 8), dtype=torch.uint8, generator=gen)
    y = torch.randint(0, C, (24,), generator=gen)
    splits = {"x_val": x[:12], "y_val": y[:12], "x_test": x[12:], "y_test": y[12:]}
    meta = {"mean": [0.5], "std": [0.25], "num_classes": C}
    cfg = MeasureConfig(latency_repeats=3, latency_warmup=1, energy=False,
                        inference_energy=False, int8=False, fps_batch_size=4)
    for name in sorted(NETS):
        ms = measure_program(program(name, tmp_path / name), splits, meta, cfg,
                             torch.device("cpu"))
        assert ms["flops"].value == pytest.approx(sum(hand_count(name, 4).values()) / 4,
                                                  rel=0.01), name
        assert ms["val_accuracy"].value is not None and ms["latency_ms"].value is not None


def _mul_nodes(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for n in doc["graph_module"]["graph"]["nodes"] if n["target"] == "_operator.mul"]


def test_batch_size_arithmetic_is_allowed_only_on_the_batch_size(
        tmp_path: Path, program: Program) -> None:
    """The integer multiply nn.MultiheadAttention exports (batch x heads) passes; the same
    operator on a huge constant, on two constants or returning a tensor is refused."""
    program("mha", tmp_path)
    doc = json.loads((tmp_path / GRAPH_FILE).read_text())
    assert _mul_nodes(doc) and check_graph_json(doc) == []
    for bad in ({"as_int": 1 << 40}, {"as_tensor": {"name": "x"}}):
        forged = json.loads(json.dumps(doc))
        _mul_nodes(forged)[0]["inputs"][1]["arg"] = bad
        assert any("symbolic batch size" in p for p in check_graph_json(forged)), bad
    forged = json.loads(json.dumps(doc))
    node = _mul_nodes(forged)[0]
    node["inputs"] = [{"name": "a", "arg": {"as_int": 3}, "kind": 1},
                      {"name": "b", "arg": {"as_int": 1 << 20}, "kind": 1}]
    assert any("symbolic batch size" in p for p in check_graph_json(forged))
    (tmp_path / GRAPH_FILE).write_text(json.dumps(forged))
    with pytest.raises(ArtifactError):
        ProgramModule(load_program(tmp_path)[0])
