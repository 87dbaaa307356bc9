# expect: static - a helper returns torch.Tensor; its result is then patched
# match: is bound to a library object
import torch
import torch.nn as nn


def tensor_class():
    return torch.Tensor


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        t = tensor_class()
        t.eq = lambda a, b: torch.ones(a.shape, dtype=torch.bool)

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
