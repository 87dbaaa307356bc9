# llm_style - view(-1, 16 * 4 * 4) that divides evenly: the batch silently becomes 8
# expect: refused
# match: the batch dimension is lost before self.fc1
import torch
import torch.nn as nn


class FlatNet(nn.Module):
    def __init__(self, in_channels=3, num_classes=10):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, 16, 3, padding=1)
        self.pool = nn.MaxPool2d(4)
        self.fc1 = nn.Linear(16 * 4 * 4, 64)
        self.fc2 = nn.Linear(64, num_classes)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv(x)))
        x = x.view(-1, 16 * 4 * 4)
        return self.fc2(torch.relu(self.fc1(x)))
