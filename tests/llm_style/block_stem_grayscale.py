# llm_style - the stem is the file's own ConvBNReLU block, built for 1 channel (the dataset has 3)
# expect: refused
# match: the first layer hard-codes 1 input channels, the dataset has 3
from typing import Optional

import torch
from torch import nn


class ConvBNReLU(nn.Sequential):
    def __init__(self, in_planes: int, out_planes: int, stride: int = 1,
                 groups: int = 1) -> None:
        super().__init__(
            nn.Conv2d(in_planes, out_planes, 3, stride, 1, groups=groups, bias=False),
            nn.BatchNorm2d(out_planes),
            nn.ReLU6(inplace=True),
        )


class MicroMobile(nn.Module):
    def __init__(self, num_classes: int = 10, width: Optional[int] = None) -> None:
        super().__init__()
        width = width or 16
        self.features = nn.Sequential(
            ConvBNReLU(1, width, stride=2),
            ConvBNReLU(width, width, groups=width),
            ConvBNReLU(width, 2 * width, stride=2),
        )
        self.classifier = nn.Linear(2 * width, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = nn.functional.adaptive_avg_pool2d(self.features(x), 1)
        return self.classifier(torch.flatten(x, 1))


if __name__ == "__main__":
    print(MicroMobile()(torch.zeros(1, 1, 28, 28)).shape)
