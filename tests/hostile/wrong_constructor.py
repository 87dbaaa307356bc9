# expect: static - Net.__init__ takes other argument names
# match: must accept
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, c, k):
        super().__init__()
        self.fc = nn.Linear(c, k)

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
