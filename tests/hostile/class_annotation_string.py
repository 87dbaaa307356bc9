# expect: static - a class attribute's string annotation holding code
# match: string annotation
import torch.nn as nn


class Net(nn.Module):
    width: "(lambda: __import__('os'))()" = 4

    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
