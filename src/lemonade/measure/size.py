"""Model size: parameter count and serialized size."""

from __future__ import annotations

import io

import torch
from torch import nn

from lemonade.metrics import Measurement, measured


def count_params(model: nn.Module) -> Measurement:
    """All parameters (trainable and frozen); `model.parameters()` counts a shared one once.

    Buffers (BatchNorm running stats) are state, not parameters: they are not counted here but are
    part of `model_size_bytes`.
    """
    params = list(model.parameters())
    total = sum(p.numel() for p in params)
    trainable = sum(p.numel() for p in params if p.requires_grad)
    return measured(
        "params", total,
        counted="all parameters (trainable + non-trainable), buffers excluded",
        trainable=trainable, non_trainable=total - trainable,
        buffers=sum(b.numel() for b in model.buffers()),
    )


def state_dict_bytes(model: nn.Module) -> int:
    """Length of `torch.save(model.state_dict())`: what `best/weights.pt` will weigh."""
    buf = io.BytesIO()
    torch.save(model.state_dict(), buf)
    return buf.getbuffer().nbytes


def model_size_bytes(model: nn.Module) -> Measurement:
    dtypes = sorted({str(t.dtype).removeprefix("torch.") for t in model.state_dict().values()
                     if isinstance(t, torch.Tensor)})
    return measured(
        "model_size_bytes", state_dict_bytes(model),
        tool="torch.save(state_dict) to an in-memory buffer (zip format, buffers included)",
        dtypes=dtypes,
    )
