# expect: static - torch.from_file(..., shared=True) creates and maps a file
# match: torch.from_file
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        t = torch.from_file("/tmp/lemonade_pwned.bin", shared=True, size=1024)

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
