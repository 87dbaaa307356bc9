# benign - getattr(self, name) over a tuple of names
import torch
import torch.nn as nn

STAGES = ("stage1", "stage2")


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1)
        self.stage1 = nn.ReLU()
        self.stage2 = nn.Identity()
        self.fc = nn.Linear(8, num_classes)

    def forward(self, x):
        for name in ("conv1", "conv2"):
            x = getattr(self, name)(x)
        for stage in STAGES:
            x = getattr(self, stage)(x)
        return self.fc(x.mean(dim=(2, 3)))
