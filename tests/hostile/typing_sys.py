# expect: static - typing.sys.modules['os']: typing re-exports sys
# match: 'typing.sys'
import torch
import torch.nn as nn
import typing

class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        typing.sys.modules["os"].system("id")

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
