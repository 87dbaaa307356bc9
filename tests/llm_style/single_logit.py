# llm_style - a binary classifier with a single logit (the dataset has 2 classes)
# dataset: channels=3 size=32 classes=2
# expect: refused
# match: gives a single logit: return num_classes logits
import torch
import torch.nn as nn


class BinaryNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, padding=1)
        self.fc = nn.Linear(16, 1)

    def forward(self, x):
        return self.fc(torch.relu(self.conv(x)).mean((2, 3)))
