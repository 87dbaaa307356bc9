# benign - from collections.abc import Sequence
from collections.abc import Sequence

import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes, widths: Sequence[int] = (8, 16)):
        super().__init__()
        assert isinstance(widths, Sequence)
        layers = []
        c = in_channels
        for w in widths:
            layers += [nn.Conv2d(c, w, 3, padding=1), nn.ReLU()]
            c = w
        self.body = nn.Sequential(*layers)
        self.fc = nn.Linear(c, num_classes)

    def forward(self, x):
        return self.fc(self.body(x).mean(dim=(2, 3)))
