# llm_style - uses torchvision's StochasticDepth and SqueezeExcitation
# expect: refused
# match: SqueezeExcitation: write it as a small nn.Module
import torch.nn as nn
from torchvision.ops import StochasticDepth, SqueezeExcitation


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1)
        self.se = SqueezeExcitation(c, c // 4)
        self.drop = StochasticDepth(0.1, "row")

    def forward(self, x):
        return x + self.drop(self.se(self.conv(x)))


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.stem = nn.Conv2d(in_channels, 16, 3, padding=1)
        self.block = Block(16)
        self.fc = nn.Linear(16, num_classes)

    def forward(self, x):
        return self.fc(self.block(self.stem(x)).mean((2, 3)))
