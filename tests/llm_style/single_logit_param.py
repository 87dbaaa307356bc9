# llm_style - a single-logit head built from a parameter (seen only when it runs)
# dataset: channels=3 size=32 classes=2
# expect: refused
# match: a single logit per image: return num_classes logits
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        out = 1 if num_classes == 2 else num_classes
        self.conv = nn.Conv2d(in_channels, 16, 3, padding=1)
        self.fc = nn.Linear(16, out)

    def forward(self, x):
        return self.fc(torch.relu(self.conv(x)).mean((2, 3)))
