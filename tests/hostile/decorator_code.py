# expect: static - a decorator expression that runs code at import
# match: decorators
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    @(lambda f: [print('x') for _ in range(3)] and f)
    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
