# llm_style - numpy and random imported only to seed
# expect: accepted
import random

import numpy as np
import torch
import torch.nn as nn

np.random.seed(0)
random.seed(0)
torch.manual_seed(0)
torch.backends.cudnn.deterministic = True


class SeededNet(nn.Module):
    def __init__(self, in_channels=3, num_classes=10):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, 12, 3, padding=1)
        self.fc = nn.Linear(12, num_classes)

    def forward(self, x):
        return self.fc(torch.relu(self.conv(x)).mean((2, 3)))
