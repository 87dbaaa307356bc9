# expect: static - self.t = torch.Tensor, then self.t.eq = ...: a library class kept in an attribute
# match: is bound to a library object
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        self.t = torch.Tensor
        self.t.eq = lambda a, b: torch.ones(a.shape, dtype=torch.bool)

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
