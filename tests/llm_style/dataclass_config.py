# llm_style - a dataclass block config the model reads
# expect: refused
# match: instead of a dataclass
from dataclasses import dataclass

import torch.nn as nn


@dataclass
class BlockConfig:
    channels: int = 16
    kernel: int = 3


class ConfigNet(nn.Module):
    def __init__(self, in_channels=3, num_classes=10, cfg=BlockConfig()):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, cfg.channels, cfg.kernel, padding=1)
        self.fc = nn.Linear(cfg.channels, num_classes)

    def forward(self, x):
        return self.fc(self.conv(x).mean((2, 3)))
