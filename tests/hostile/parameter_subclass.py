# expect: static - a subclass of nn.Parameter (a torch.Tensor) reached through a top-level alias
# match: subclassing torch.Tensor
import torch
import torch.nn as nn

P = nn.Parameter


class Liar(P):
    pass


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
