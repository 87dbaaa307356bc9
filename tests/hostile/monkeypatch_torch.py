# expect: static - replaces nn.Linear.forward for every later user
# match: modifying
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        nn.Linear.forward = lambda self, x: x

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
