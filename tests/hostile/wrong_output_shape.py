# expect: runtime - returns (2, 5) logits for 10 classes
# match: failed: does not match expected
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, 5)

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
