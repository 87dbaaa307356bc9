# expect: runtime - an operator lemonade has no FLOP formula for (an FFT): cost would be a guess
# match: failed: no FLOP formula
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels * 5, num_classes)

    def forward(self, x):
        f = torch.fft.rfft(x.mean(dim=2), n=8).abs()
        return self.fc(f.flatten(1))
