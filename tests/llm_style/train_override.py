# llm_style - a `train(self, loader)` method that shadows nn.Module.train, and evaluate()
# expect: accepted
import torch
import torch.nn as nn
import torch.nn.functional as F


class Classifier(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, padding=1)
        self.drop = nn.Dropout(0.2)
        self.fc = nn.Linear(16, n_classes)

    def forward(self, x):
        return self.fc(self.drop(F.relu(self.conv(x)).mean((2, 3))))

    def train(self, loader, epochs=1):
        opt = torch.optim.Adam(self.parameters())
        for _ in range(epochs):
            for x, y in loader:
                opt.zero_grad()
                F.cross_entropy(self(x), y).backward()
                opt.step()

    @torch.no_grad()
    def evaluate(self, loader):
        return sum((self(x).argmax(1) == y).sum().item() for x, y in loader)
