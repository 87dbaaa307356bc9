# expect: runtime - logits honest up to batch 8, shifted by the image's position beyond it
# match: failed: other images in its batch
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)
        self.table = nn.Parameter(torch.randn(64, num_classes))

    def forward(self, x):
        logits = self.fc(x.mean(dim=(2, 3)))
        pos = torch.arange(x.shape[0], device=x.device)
        big = (pos.sum() > 28).float()
        return logits + big * self.table[pos % 64]
