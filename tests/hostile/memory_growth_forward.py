# expect: runtime - keeps growing a list of big tensors in forward
# match: failed: out of memory
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        keep = []
        while True:
            keep.append(torch.empty(2 ** 26))
        return self.fc(x.mean(dim=(2, 3)))
