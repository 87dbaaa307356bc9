# expect: static - imports subprocess and calls subprocess.run in __init__
# match: import of 'subprocess' is not allowed
import torch
import torch.nn as nn
import subprocess

class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        subprocess.run(["sh", "-c", "id"])

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
