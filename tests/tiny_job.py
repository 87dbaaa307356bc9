"""The smallest honest model file the sandbox tests train end to end (a conv and a linear layer)."""

from typing import Any

TINY_NET = """import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, 4, 3, padding=1)
        self.fc = nn.Linear(4, num_classes)

    def forward(self, x):
        return self.fc(torch.relu(self.conv(x)).mean(dim=(2, 3)))
"""


def with_limits(cfg: Any, limits: Any = None, timeout_s: float | None = None) -> Any:
    """`cfg` with these sandbox limits and candidate timeout: a job reads both from its config."""
    update: dict[str, Any] = {}
    if limits is not None:
        update["sandbox"] = limits
    if timeout_s is not None:
        update["budget"] = cfg.budget.model_copy(update={"candidate_timeout_s": timeout_s})
    return cfg.model_copy(update=update)
