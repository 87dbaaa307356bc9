# expect: static - self._cdata inside a method: tensor internals are refused even on self
# match: never tensor internals
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        self._cdata = 0
        addr = self._cdata

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
