# expect: static - torch.jit.load of an archive
# match: torch.jit
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        m = torch.jit.load("/tmp/evil.pt")

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
