# expect: static - torch.classes to reach custom C++ classes
# match: torch.classes
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        c = torch.classes.load_library

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
