# benign - a class attribute that is a parameter-free layer: act = nn.ReLU()
import torch
import torch.nn as nn


class Net(nn.Module):
    act = nn.ReLU()
    expansion = 2

    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, 4 * self.expansion, 3, padding=1)
        self.fc = nn.Linear(4 * self.expansion, num_classes)

    def forward(self, x):
        return self.fc(self.act(self.conv(x)).mean(dim=(2, 3)))
