# expect: runtime - allocates 16 GiB in __init__
# match: failed: out of memory
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        self.big = torch.ones(4 * 2 ** 30)

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
