# expect: runtime - layers appended to a plain list: never trained, never counted
# match: failed: self.blocks keeps layers in a plain Python list
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        self.blocks = []
        for _ in range(3):
            self.blocks.append(nn.Linear(in_channels, in_channels))

    def forward(self, x):
        h = x.mean(dim=(2, 3))
        for b in self.blocks:
            h = b(h)
        return self.fc(h)
