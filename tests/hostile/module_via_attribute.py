# expect: static - T = F.torch: a module reached through an attribute, bound to a name
# match: may only be used as
import torch
import torch.nn as nn
import torch.nn.functional as F

T = F.torch


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        self.w = T.load("/tmp/evil.pt")

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
