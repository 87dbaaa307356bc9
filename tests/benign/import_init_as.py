# benign - import torch.nn.init as init
import torch
import torch.nn as nn
import torch.nn.init as init


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, 8, 3, padding=1)
        self.fc = nn.Linear(8, num_classes)
        init.kaiming_normal_(self.conv.weight, nonlinearity="relu")
        init.zeros_(self.fc.bias)

    def forward(self, x):
        x = torch.relu(self.conv(x))
        return self.fc(x.mean(dim=(2, 3)))
