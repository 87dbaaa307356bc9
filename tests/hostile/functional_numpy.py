# expect: static - F.np.save: torch.nn.functional re-exports numpy
# match: module numpy
import torch
import torch.nn as nn
import torch.nn.functional as F

class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        F.np.save("/tmp/lemonade_pwned.npy", [1])

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
