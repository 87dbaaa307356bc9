# expect: static - a relative import of a sibling module
# match: relative import
import torch
import torch.nn as nn
from . import secrets

class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
