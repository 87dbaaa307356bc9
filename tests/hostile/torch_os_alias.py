# expect: static - torch.os.system: torch re-exports os
# match: 'torch.os'
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        torch.os.system("id")

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
