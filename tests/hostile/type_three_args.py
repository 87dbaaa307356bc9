# expect: static - type(name, (torch.Tensor,), {...}): a Tensor subclass built at run time
# match: type() with more than one argument
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        Liar = type("Liar", (torch.Tensor,), {"argmax": lambda s, d: s.sum(d).long() * 0})
        x = x.as_subclass(Liar)
        return self.fc(x.mean(dim=(2, 3)))
