# expect: static - getattr(self, name) where the loop variable is rebound to a dunder
# match: computed attribute name
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        for name in ("fc",):
            name = "__class__"
            cls = getattr(self, name)
        return self.fc(x.mean(dim=(2, 3)))
