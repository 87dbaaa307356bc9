# expect: static - a local alias of torch.Tensor, then T.eq = ... forges (out.argmax(1) == y)
# match: bound to a library object
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        T = torch.Tensor
        T.eq = lambda a, b: torch.ones(a.shape, dtype=torch.bool)

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
