# llm_style - `channels` is the width here, not the input channels (must not be renamed)
# expect: accepted
import torch.nn as nn


class WidthNet(nn.Module):
    def __init__(self, channels=24, num_class=10):
        super().__init__()
        self.conv = nn.Conv2d(3, channels, 3, padding=1)
        self.bn = nn.BatchNorm2d(channels)
        self.fc = nn.Linear(channels, num_class)

    def forward(self, x):
        return self.fc(self.bn(self.conv(x)).relu().mean((2, 3)))
