# expect: static - imports shutil and calls shutil.rmtree in __init__
# match: import of 'shutil' is not allowed
import torch
import torch.nn as nn
import shutil

class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        shutil.rmtree("/tmp")

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
