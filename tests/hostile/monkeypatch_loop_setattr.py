# expect: static - setattr on a loop variable that iterates over library classes
# match: bound to a library object
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        for cls in (torch.Tensor, nn.Module):
            setattr(cls, "eq", lambda a, b: True)

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
