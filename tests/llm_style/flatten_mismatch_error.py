# llm_style - a flatten size that does not divide: the forward pass fails in a Linear
# expect: refused
# match: flatten with torch.flatten(x, 1)
import torch
import torch.nn as nn


class SmallNet(nn.Module):
    def __init__(self, in_channels=3, num_classes=10):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, 8, 3)
        self.fc1 = nn.Linear(8 * 26 * 26, 64)
        self.fc2 = nn.Linear(64, num_classes)

    def forward(self, x):
        x = torch.relu(self.conv(x))
        x = torch.flatten(x, 1)
        return self.fc2(torch.relu(self.fc1(x)))
