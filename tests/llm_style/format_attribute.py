# llm_style - an attribute named `format`, type(self).__name__, a loop over (name, layer) pairs
# expect: accepted
import torch
import torch.nn as nn


class FormatNet(nn.Module):
    def __init__(self, in_channels=3, num_classes=10, format="NCHW"):
        super().__init__()
        self.format = format
        self.tag = type(self).__name__
        for name, layer in (("conv", nn.Conv2d(in_channels, 8, 3, padding=1)),
                            ("act", nn.ReLU())):
            setattr(self, name, layer)
        self.fc = nn.Linear(8, num_classes)

    def forward(self, x):
        if self.format == "NHWC":
            x = x.permute(0, 3, 1, 2)
        x = self.act(self.conv(x))
        return self.fc(torch.mean(x, dim=(2, 3)))
