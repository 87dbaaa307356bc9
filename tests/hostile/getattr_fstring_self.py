# expect: static - getattr(self, f"{'__'}class__"): an f-string with no safe constant prefix
# match: computed attribute name
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        cls = getattr(self, f"{'__'}class__")
        return self.fc(x.mean(dim=(2, 3)))
