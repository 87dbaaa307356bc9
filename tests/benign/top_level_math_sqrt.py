# benign - a top-level constant computed by math: SCALE = math.sqrt(2.0)
import math

import torch
import torch.nn as nn

SCALE = math.sqrt(2.0)
LOG_EPS = math.log(1e-6)


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)) * SCALE).clamp(min=LOG_EPS)
