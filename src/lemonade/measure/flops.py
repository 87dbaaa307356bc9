"""FLOPs per image, counted by torch's own flop counter on a batch-1 forward."""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from lemonade.metrics import Measurement, measured


def _model_device(model: nn.Module) -> torch.device:
    for t in (*model.parameters(), *model.buffers()):
        return t.device
    return torch.device("cpu")


def count_flops(model: nn.Module, in_channels: int, image_size: tuple[int, int]) -> Measurement:
    """FLOPs of one forward pass of one image (B=1) at the dataset's shape.

    FlopCounterMode counts a multiply-add as 2 FLOPs and only counts ops it has formulas for
    (matmul/linear, convolution, bmm, attention); elementwise ops, pooling, activations and
    normalisation count 0, so this is the MAC-dominated cost, the convention used by most papers x2.
    """
    device = _model_device(model)
    h, w = image_size
    x = torch.zeros(1, in_channels, h, w, device=device)
    was_training = model.training
    model.eval()  # batch-1 BatchNorm in train mode would fail; eval is the deployed graph
    try:
        counter = FlopCounterMode(display=False)
        with torch.no_grad(), counter:
            model(x)
        total = counter.get_total_flops()
    finally:
        model.train(was_training)
    by_op = {str(op): int(n) for op, n in counter.get_flop_counts().get("Global", {}).items()}
    return measured(
        "flops", total,
        tool="torch.utils.flop_counter.FlopCounterMode", batch_size=1,
        input_shape=[1, in_channels, h, w], device=str(device),
        convention="multiply-add = 2 FLOPs; only matmul/conv/bmm/attention ops counted",
        by_op=by_op,
    )
