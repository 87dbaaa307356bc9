# expect: static - a function whose parameter is named self, to pass private attributes
# match: private attribute '_cdata'
import torch
import torch.nn as nn


def peek(self):
    return self._cdata


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        addr = peek(x)
        return self.fc(x.mean(dim=(2, 3)))
