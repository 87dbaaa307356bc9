# llm_style - written for MNIST: 1 input channel hard-coded (the dataset has 3)
# expect: refused
# match: hard-codes 1 input channels, the dataset has 3: use the in_channels argument
import torch.nn as nn


class MNISTNet(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.conv = nn.Conv2d(1, 16, 5)
        self.pool = nn.AdaptiveAvgPool2d(4)
        self.fc = nn.Linear(16 * 4 * 4, num_classes)

    def forward(self, x):
        return self.fc(self.pool(self.conv(x)).flatten(1))
