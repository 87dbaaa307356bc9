# expect: static - import torch.utils.data to spawn DataLoader worker processes
# match: import of 'torch.utils.data' is not allowed
import torch
import torch.nn as nn
import torch.utils.data

class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        self.dl = torch.utils.data.DataLoader(list(range(10)), num_workers=64)

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
