# expect: runtime - Net is a plain class, not an nn.Module
# match: failed: not a torch.nn.Module
import torch
import torch.nn as nn


class Net:
    def __init__(self, in_channels, num_classes):
        self.k = num_classes

    def forward(self, x):
        return x
