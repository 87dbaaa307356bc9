# expect: static - a string annotation holding code, for any helper that evaluates annotations
# match: string annotation
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x: "__import__('os').system('touch /tmp/lemonade_pwned_sa') or torch.Tensor"):
        return self.fc(x.mean(dim=(2, 3)))
