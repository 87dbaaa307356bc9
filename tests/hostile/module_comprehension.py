# expect: static - [m for m in (torch.nn,)]: a module as a comprehension variable
# match: may only be used as
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        found = [m.modules for m in (torch.nn,)]

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
