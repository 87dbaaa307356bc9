# expect: static - a process bomb via torch.multiprocessing
# match: torch.multiprocessing
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        for _ in range(1000):
            torch.multiprocessing.Process(target=print).start()

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))
