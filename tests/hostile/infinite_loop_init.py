# expect: runtime - an infinite loop in __init__
# match: timeout: timed out after 15 s while running the candidate
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        while True:
            pass

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
