# expect: static - a Tensor subclass through an alias (from torch import Tensor as Base)
# match: subclassing torch.Tensor
import torch
import torch.nn as nn
from torch import Tensor as Base


class Liar(Base):
    pass


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
