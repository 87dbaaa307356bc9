# benign - a top-level __all__ and a __repr__ method
import torch
import torch.nn as nn

__all__ = ["Net"]


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.num_classes = num_classes
        self.fc = nn.Linear(in_channels, num_classes)

    def __repr__(self):
        return f"{type(self).__name__}(num_classes={self.num_classes})"

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
