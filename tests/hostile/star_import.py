# expect: static - from torch import * (would bring torch.load/save in unnamed)
# match: import *
import torch
import torch.nn as nn
from torch import *

class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
