# expect: static - imports builtins and calls builtins.open in __init__
# match: import of 'builtins' is not allowed
import torch
import torch.nn as nn
import builtins

class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        builtins.open("/etc/passwd").read()

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
