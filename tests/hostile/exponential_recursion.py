# expect: runtime - exponential recursion (2 ** 60 calls) in __init__
# match: timeout: timed out after 15 s while running the candidate
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        self.n = self.fib(60)

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))

    def fib(self, n):
        return 1 if n < 2 else self.fib(n - 1) + self.fib(n - 2)
