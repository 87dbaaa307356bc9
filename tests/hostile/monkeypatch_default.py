# expect: static - def f(c=torch.Tensor): c.eq = ...: a library class as a default argument
# match: bound to a library object
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        patch()

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))


def patch(c=torch.Tensor):
    c.eq = lambda a, b: torch.ones(a.shape, dtype=torch.bool)
