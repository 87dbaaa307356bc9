# expect: static - a torch.Tensor subclass returned from forward decides what (out.argmax(1) == y) gives
# match: subclassing torch.Tensor
import torch
import torch.nn as nn


class Liar(torch.Tensor):
    def eq(self, other):
        return torch.ones(self.shape, dtype=torch.bool)


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        x = x.as_subclass(Liar)
        return self.fc(x.mean(dim=(2, 3)))
