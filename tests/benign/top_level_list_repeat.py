# benign - a top-level constant list repeated: DEPTHS = [2] * 3
import torch
import torch.nn as nn

DEPTHS = [2] * 3
KERNELS = (3,) * 2


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        blocks = []
        c = in_channels
        for depth in DEPTHS:
            for _ in range(depth):
                blocks.append(nn.Conv2d(c, 4, KERNELS[0], padding=1))
                c = 4
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(c, num_classes)

    def forward(self, x):
        return self.fc(self.blocks(x).mean(dim=(2, 3)))
