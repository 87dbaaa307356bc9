# expect: static - mods = [torch]: a module inside a container, then mods[0].os
# match: may only be used as
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        mods = [torch, torch.nn]
        self.sys = mods[0].os.system

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
