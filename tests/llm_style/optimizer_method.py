# llm_style - own class name, n_classes, an optimizer built in configure_optimizer, a __repr__
# expect: accepted
import torch
import torch.nn as nn
import torch.optim as optim


class TinyCNN(nn.Module):
    """A compact CNN for small images."""

    def __init__(self, n_classes=10):
        super(TinyCNN, self).__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, kernel_size=3, padding=1),
            nn.BatchNorm2d(16),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.AdaptiveAvgPool2d(1),
        )
        self.classifier = nn.Linear(32, n_classes)

    def forward(self, x):
        x = self.features(x)
        x = torch.flatten(x, 1)
        return self.classifier(x)

    def configure_optimizer(self, lr=1e-3):
        return optim.Adam(self.parameters(), lr=lr, weight_decay=1e-4)

    def __repr__(self):
        return "{}(params={})".format(self.__class__.__name__, sum(p.numel() for p in self.parameters()))
