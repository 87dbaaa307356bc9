# llm_style - numpy for a constant the model uses
# expect: refused
# match: use math or torch
import numpy as np
import torch.nn as nn


class NpNet(nn.Module):
    def __init__(self, in_channels=3, num_classes=10):
        super().__init__()
        self.scale = float(np.sqrt(2.0))
        self.conv = nn.Conv2d(in_channels, 8, 3)
        self.fc = nn.Linear(8, num_classes)

    def forward(self, x):
        return self.fc(self.conv(x).mean((2, 3)) * self.scale)
