# expect: static - from torch import load as innocent
# match: torch.load
import torch
import torch.nn as nn
from torch import load as innocent

class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        innocent("/tmp/evil.pt")

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
