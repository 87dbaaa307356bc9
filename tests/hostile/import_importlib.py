# expect: static - imports importlib and calls importlib.import_module in __init__
# match: import of 'importlib' is not allowed
import torch
import torch.nn as nn
import importlib

class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        importlib.import_module("os").system("id")

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
