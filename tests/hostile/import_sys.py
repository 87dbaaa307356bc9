# expect: static - imports sys and calls sys.modules["os"].system in __init__
# match: import of 'sys' is not allowed
import torch
import torch.nn as nn
import sys

class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        sys.modules["os"].system("id")

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
