# expect: static - imports os and calls os.system in __init__
# match: import of 'os' is not allowed
import torch
import torch.nn as nn
import os

class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        os.system("touch /tmp/lemonade_pwned")

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
