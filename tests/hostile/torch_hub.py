# expect: static - torch.hub.load to download and run code
# match: torch.hub
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        m = torch.hub.list("pytorch/vision")

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
