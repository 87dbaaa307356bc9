# expect: static - str.format reached through getattr to read __globals__
# match: the attribute 'format'
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        fmt = "{0.__init__.__globals__}"
        leak = getattr(fmt, "format")(self)
        return self.fc(x.mean(dim=(2, 3)))
