# llm_style - two unrelated model classes and nothing saying which one to train
# expect: refused
# match: several model classes (ModelA, ModelB)
import torch.nn as nn


class ModelA(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.fc = nn.Linear(3, num_classes)

    def forward(self, x):
        return self.fc(x.mean((2, 3)))


class ModelB(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.fc = nn.Linear(3, num_classes)

    def forward(self, x):
        return self.fc(x.amax((2, 3)))
