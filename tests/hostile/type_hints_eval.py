# expect: static - typing.get_type_hints evaluating a string annotation that imports os
# match: typing.get_type_hints
import torch
import torch.nn as nn
import typing

class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        typing.get_type_hints(self.helper)

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))

    def helper(self, x: "__import__('os').system('id')"):
        return x
