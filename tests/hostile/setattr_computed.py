# expect: static - setattr with a computed dunder name
# match: computed attribute name
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        n = "__cl" + "ass__"
        setattr(self, n, None)

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
