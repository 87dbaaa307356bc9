# expect: static - globals()['__builtins__'] to reach the real builtins
# match: 'globals' is not allowed
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        b = globals()["__builtins__"]

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
