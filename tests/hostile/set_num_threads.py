# expect: static - torch.set_num_threads(100000): a thread bomb through torch's pool
# match: 'set_num_threads' is not allowed
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        torch.set_num_threads(100000)

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
