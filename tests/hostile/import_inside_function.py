# expect: static - imports os lazily inside forward
# match: import of 'os' is not allowed
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        import os
        os.system("id")
        return self.fc(x.mean(dim=(2, 3)))
