# benign - setattr(self, 'x%d' % i, m) and f-string names on the model itself
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        c = in_channels
        for i in range(2):
            setattr(self, "x%d" % i, nn.Conv2d(c, 4, 3, padding=1))
            c = 4
        setattr(self, f"head{0}", nn.Linear(c, num_classes))

    def forward(self, x):
        for i in range(2):
            x = torch.relu(getattr(self, "x%d" % i)(x))
        if hasattr(self, "head0"):
            return getattr(self, f"head{0}")(x.mean(dim=(2, 3)))
        return x
