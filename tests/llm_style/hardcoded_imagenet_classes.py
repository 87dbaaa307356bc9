# llm_style - a classifier hard-coded for 1000 classes (the dataset has 10)
# expect: refused
# match: hard-codes 1000 classes, the dataset has 10: use the num_classes argument
import torch.nn as nn


class MobileStyleNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 32, 3, 2, 1), nn.ReLU6(),
                                      nn.AdaptiveAvgPool2d(1))
        self.classifier = nn.Linear(32, 1000)

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))
