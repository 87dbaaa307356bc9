# expect: static - [torch.Tensor][0].eq = ...: a library class reached through a container
# match: on an expression is not allowed
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        [torch.Tensor][0].eq = lambda a, b: torch.ones(a.shape, dtype=torch.bool)

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
