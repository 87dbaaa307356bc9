# expect: static - t = type(type): type reached through type(x), then called with 3 arguments
# match: type(x) may only be compared
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        meta = type(nn.Module)
        Liar = meta("Liar", (torch.Tensor,), {})
        return self.fc(x.mean(dim=(2, 3)))
