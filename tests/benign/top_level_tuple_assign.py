# benign - top-level tuple assignment: A, B = 16, 32
import torch
import torch.nn as nn

A, B = 16, 32


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.c1 = nn.Conv2d(in_channels, A, 3, padding=1)
        self.c2 = nn.Conv2d(A, B, 3, padding=1)
        self.fc = nn.Linear(B, num_classes)

    def forward(self, x):
        x = torch.relu(self.c2(torch.relu(self.c1(x))))
        return self.fc(x.mean(dim=(2, 3)))
