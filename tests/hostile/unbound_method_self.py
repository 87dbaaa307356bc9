# expect: static - Net.peek(tensor): an unbound call passes a tensor as self to reach its internals
# match: may only be called as Net.peek(self, ...)
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def peek(self):
        return self._cdata

    def forward(self, x):
        addr = Net.peek(x)
        return self.fc(x.mean(dim=(2, 3)))
