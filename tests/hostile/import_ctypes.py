# expect: static - imports ctypes and calls ctypes.CDLL in __init__
# match: import of 'ctypes' is not allowed
import torch
import torch.nn as nn
import ctypes

class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        ctypes.CDLL(None).system(b"id")

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
