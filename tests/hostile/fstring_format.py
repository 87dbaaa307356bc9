# expect: static - f"{{0.{name}}}".format(x): a format string built by an f-string
# match: only allowed on a literal string
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        name = "__class__"
        leak = f"{{0.{name}}}".format(x)
        return self.fc(x.mean(dim=(2, 3)))
