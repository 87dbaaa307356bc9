# llm_style - img_channels and out_features as constructor arguments
# expect: accepted
import torch.nn as nn


class ConvClassifier(nn.Module):
    def __init__(self, img_channels: int = 3, out_features: int = 10, hidden: int = 32) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(img_channels, hidden, 3, padding=1), nn.GELU(),
                                  nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.out = nn.Linear(hidden, out_features)

    def forward(self, x):
        return self.out(self.body(x))
