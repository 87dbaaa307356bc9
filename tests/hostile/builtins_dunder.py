# expect: static - __builtins__['open']
# match: '__builtins__' is not allowed
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        f = __builtins__["open"]

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
