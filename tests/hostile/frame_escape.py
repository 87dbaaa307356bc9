# expect: static - a generator's gi_frame.f_back.f_globals to reach the caller's globals
# match: 'f_back' is not allowed
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        g = (i for i in [1])
        frame = g.gi_frame.f_back
        glb = frame.f_globals

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
