# benign - forward's first op is a torch call made directly from model code (FLOPs counting)
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        x = torch.relu(x) * 2
        x = F.adaptive_avg_pool2d(x, 1)
        return self.fc(torch.flatten(x, 1))
