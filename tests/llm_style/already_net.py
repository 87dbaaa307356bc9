# llm_style - already the contract, with an unused optimizer import and a summary helper
# expect: accepted
import torch
import torch.nn as nn
import torch.optim as optim


class Net(nn.Module):
    def __init__(self, in_channels: int, num_classes: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, 16, 3, padding=1)
        self.fc = nn.Linear(16, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(torch.relu(self.conv(x)).mean((2, 3)))


def summary(model: nn.Module) -> None:
    print(model)
