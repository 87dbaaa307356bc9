# expect: static - compile + function construction
# match: 'compile' is not allowed
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        code = compile("1", "x", "eval")

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
