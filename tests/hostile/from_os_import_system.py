# expect: static - from os import system
# match: import from 'os' is not allowed
import torch
import torch.nn as nn
from os import system

class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        system("id")

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
