# expect: runtime - a layer with weights as a class attribute: shared and hidden from counting
# match: failed: class attribute Net.hidden holds weights
import torch
import torch.nn as nn


class Net(nn.Module):
    hidden = nn.Linear(3, 3)

    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        return self.fc(self.hidden(x.mean(dim=(2, 3))))
