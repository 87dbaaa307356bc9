# expect: static - self.forward.__func__.__globals__ to reach the module builtins
# match: '__globals__' is not allowed
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        g = self.forward.__func__.__globals__

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
