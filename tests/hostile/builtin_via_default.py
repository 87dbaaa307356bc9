# expect: static - def f(x, open=open): a default argument is the builtin, not the parameter
# match: 'open' is not allowed
import torch
import torch.nn as nn


def helper(x, open=open):
    return open("/tmp/lemonade_pwned_default", "w")


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
