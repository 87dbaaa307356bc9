# expect: static - functools.singledispatch evaluates a register() function's string annotation
# match: 'functools.singledispatch' (functools.singledispatch) is not allowed
import functools

import torch.nn as nn


@functools.singledispatch
def widen(x):
    return x


@widen.register
def _(x: "__import__('os').system('touch /tmp/lemonade_pwned_sd')"):
    return x


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
