# expect: static - imports pathlib and calls pathlib.Path in __init__
# match: import of 'pathlib' is not allowed
import torch
import torch.nn as nn
import pathlib

class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        pathlib.Path("/tmp/lemonade_pwned").write_text("x")

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
