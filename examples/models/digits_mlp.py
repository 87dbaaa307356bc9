"""A two-layer MLP sized for 8x8 digits; other image sizes are pooled to 8x8 first.

A valid lemonade model file: `Net(in_channels, num_classes)`, only torch imports.
"""

import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels: int = 1, num_classes: int = 10, hidden: int = 64) -> None:
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d((8, 8))  # identity on 8x8, adapts any other H, W
        self.fc1 = nn.Linear(in_channels * 8 * 8, hidden)
        self.drop = nn.Dropout(0.1)
        self.fc2 = nn.Linear(hidden, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.flatten(self.pool(x), 1)
        return self.fc2(self.drop(torch.relu(self.fc1(x))))
