# expect: static - str.format field access to read __globals__
# match: format fields
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        s = "{0.forward.__globals__}".format(self)

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
