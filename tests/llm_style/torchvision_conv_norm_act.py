# llm_style - uses torchvision's Conv2dNormActivation
# expect: refused
# match: write it as nn.Sequential(nn.Conv2d, nn.BatchNorm2d, nn.ReLU)
import torch.nn as nn
from torchvision.ops import Conv2dNormActivation


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.stem = Conv2dNormActivation(in_channels, 32, kernel_size=3, stride=2)
        self.fc = nn.Linear(32, num_classes)

    def forward(self, x):
        return self.fc(self.stem(x).mean((2, 3)))
