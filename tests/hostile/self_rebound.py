# expect: static - self rebound to another object inside a method, then self._private
# match: private attribute '_write_file'
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        self = x.untyped_storage()
        self._write_file("/tmp/lemonade_pwned_self", True, True, 1)
        return self.fc(x.mean(dim=(2, 3)))
