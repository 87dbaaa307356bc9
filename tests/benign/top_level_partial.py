# benign - a top-level partial of a layer: Norm = partial(nn.BatchNorm2d, eps=1e-3)
from functools import partial

import torch
import torch.nn as nn

Norm = partial(nn.BatchNorm2d, eps=1e-3, momentum=0.01)


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, 8, 3, padding=1, bias=False)
        self.bn = Norm(8)
        self.fc = nn.Linear(8, num_classes)

    def forward(self, x):
        return self.fc(torch.relu(self.bn(self.conv(x))).mean(dim=(2, 3)))
