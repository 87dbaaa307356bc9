# expect: static - g = getattr, then g(obj, name) to dodge the call check
# match: 'getattr' may only be called directly
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        g = getattr
        x = g(self, "__class__")

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
