# expect: static - layers kept in a plain list: never trained, never counted
# match: use nn.ModuleList
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        self.blocks = [nn.Linear(in_channels, in_channels) for _ in range(4)]

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
