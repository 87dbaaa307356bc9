# expect: static - setattr(self.fc, name, ...) with a computed name on a chain
# match: computed attribute name
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        for n in ("weight",):
            setattr(self.fc, n + "", None)

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
