# expect: static - getattr(torch, 'lo' + 'ad') to hide torch.load
# match: computed attribute name
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        name = "lo" + "ad"
        fn = getattr(self.fc, name)

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
