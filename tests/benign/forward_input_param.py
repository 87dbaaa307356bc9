# benign - def forward(self, input): PyTorch's own convention; the parameter shadows the builtin
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, input):
        return self.fc(input.mean(dim=(2, 3)))
